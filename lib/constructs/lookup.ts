/**
 * The drift lookup made when the app synthesizes, as CDK's context lookups are: synthesis is synchronous, so the
 * ElasticsearchCluster runs `node <esinfer> tf lookup` in a child process and waits for it. The child reads the
 * stack's state and the cluster's endpoints once (no lock, nothing written) and answers each endpoint's
 * `last_drift` (see drift.ts). The request goes through stdin: a stack's declarations do not fit environment
 * variables.
 */
import { spawnSync } from "node:child_process";
import { ESINFER_BIN } from "./locate";

/** What the lookup needs: the stack as a manifest, and where its project directory is. */
export interface LookupRequest {
  readonly stack: string;
  readonly cluster: unknown;
  readonly state: unknown;
  /** Canonical declarations (request shape, secrets as references). */
  readonly endpoints: readonly unknown[];
  readonly absent: readonly string[];
  /** Absolute: the state file and relative secret files are resolved against it. */
  readonly project_dir: string;
}

/** What `esinfer tf lookup` prints: each endpoint's marker, as `[inference_id, marker]` pairs. */
export interface LookupAnswer {
  readonly markers: readonly (readonly [string, string])[];
}

/** How long a synthesis waits for the lookup (a cluster that does not answer gets a warning, not a hang). */
export const LOOKUP_TIMEOUT_MS = 60_000;

export type LookupResult = { readonly markers: ReadonlyMap<string, string> } | { readonly problem: string };

export function lookUpDrift(request: LookupRequest): LookupResult {
  const run = spawnSync(process.execPath, [ESINFER_BIN, "tf", "lookup"], {
    input: JSON.stringify(request),
    encoding: "utf8",
    timeout: LOOKUP_TIMEOUT_MS,
    killSignal: "SIGKILL",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (run.error) {
    const timedOut = (run.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
    return { problem: timedOut ? `no answer within ${LOOKUP_TIMEOUT_MS / 1000} s` : run.error.message };
  }
  if (run.status !== 0) {
    const said = run.stderr
      .split("\n")
      .map((line) => line.replace(/^(esinfer: |Error: )/, "").trim())
      .filter(Boolean)
      .join("; ");
    return { problem: said || `esinfer tf lookup exited with ${run.status ?? run.signal}` };
  }
  try {
    const answer = JSON.parse(run.stdout) as LookupAnswer;
    const pairs = answer.markers.filter(
      (p): p is [string, string] => Array.isArray(p) && typeof p[0] === "string" && typeof p[1] === "string",
    );
    return { markers: new Map(pairs) };
  } catch (e) {
    return { problem: `unreadable answer: ${(e as Error).message}` };
  }
}
