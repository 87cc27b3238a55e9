/** Running a real `terraform` binary in tests, when one is installed (honors TERRAFORM_BINARY_NAME). */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Emulator } from "../../lib/emulator";

export const TERRAFORM = process.env.TERRAFORM_BINARY_NAME || "terraform";

/** The binary's version line, or undefined when there is none. */
export function terraformVersion(): string | undefined {
  try {
    return execFileSync(TERRAFORM, ["version"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } })
      .split("\n")[0]!
      .trim();
  } catch {
    return undefined;
  }
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `terraform -chdir=<dir> <args>`, offline-friendly, never prompting. */
export function terraform(dir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TERRAFORM, [`-chdir=${dir}`, ...args], {
      env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like `terraform` but throws with everything Terraform printed when it fails. */
export async function terraformOk(dir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const run = await terraform(dir, args, env);
  if (run.code !== 0) throw new Error(`terraform ${args.join(" ")} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return run;
}

/**
 * Terraform runs the hooks, and synthesis its drift lookup, through bin/esinfer.js, which loads the compiled dist/:
 * build it (incrementally, a few seconds when nothing changed) so they run the code under test, also when jest runs
 * without `npm test`. tsc emits despite type errors (this test's own are ts-jest's to report); a build that
 * emitted nothing fails.
 */
export function ensureBuilt(): void {
  const root = join(__dirname, "..", "..");
  const run = spawnSync(
    process.execPath,
    [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    { cwd: root, encoding: "utf8" },
  );
  if (run.error) throw run.error;
  if (!existsSync(join(root, "dist", "cli", "main.js")))
    throw new Error(`building dist/ failed:\n${run.stdout}\n${run.stderr}`);
}

/** One resource change of a saved Terraform plan (`terraform show -json`), with esinfer's kind and endpoint id. */
export interface PlannedChange {
  readonly address: string;
  readonly actions: readonly string[];
  /** `cluster`, `apply` or `endpoint`; undefined for other resources. */
  readonly kind?: string;
  /** The endpoint's inference id (records only). */
  readonly id?: string;
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
}

export interface TerraformPlan {
  /** What `terraform plan` printed (human). */
  readonly text: string;
  readonly changes: readonly PlannedChange[];
}

type Values = { triggers_replace?: Record<string, string>; triggers?: Record<string, string> } | null | undefined;
const identityOf = (v: Values) => v?.triggers_replace ?? v?.triggers;

/** `terraform plan -out=tfplan`, then its JSON: every resource change, no-ops included. */
export async function terraformPlan(dir: string, env: Record<string, string> = {}): Promise<TerraformPlan> {
  const text = (await terraformOk(dir, ["plan", "-no-color", "-out=tfplan"], env)).stdout;
  const show = JSON.parse((await terraformOk(dir, ["show", "-json", "tfplan"], env)).stdout) as {
    resource_changes?: { address: string; change: { actions: string[]; before: Values; after: Values } }[];
  };
  const changes = (show.resource_changes ?? []).map((rc) => {
    const identity = identityOf(rc.change.after) ?? identityOf(rc.change.before);
    return {
      address: rc.address,
      actions: rc.change.actions,
      kind: identity?.esinfer,
      id: identity?.inference_id,
      before: (rc.change.before ?? undefined) as Record<string, unknown> | undefined,
      after: (rc.change.after ?? undefined) as Record<string, unknown> | undefined,
    };
  });
  return { text, changes };
}

/** The changes of a plan that are not no-ops, as `address: actions`, sorted (esinfer's resources by kind and id). */
export function changed(plan: TerraformPlan): string[] {
  return plan.changes
    .filter((c) => !c.actions.every((a) => a === "no-op" || a === "read"))
    .map((c) => `${c.kind === "endpoint" ? `endpoint ${c.id}` : (c.kind ?? c.address)}: ${c.actions.join(",")}`)
    .sort();
}

/** The endpoint records Terraform's state holds (inference ids), read with `terraform show -json`. */
export async function recordsInState(dir: string, env: Record<string, string> = {}): Promise<string[]> {
  const show = JSON.parse((await terraformOk(dir, ["show", "-json"], env)).stdout) as {
    values?: { root_module?: { resources?: { values: Values }[] } };
  };
  return (show.values?.root_module?.resources ?? [])
    .map((r) => identityOf(r.values))
    .filter((v) => v?.esinfer === "endpoint")
    .map((v) => v!.inference_id!)
    .sort();
}

/**
 * Counts the esinfer processes Terraform starts: a `node` first on PATH that logs each start (its pid and
 * arguments) and then runs the real node. Give `env()` to Terraform; `starts()` lists the `esinfer ... tf <hook>`
 * processes logged since the last `clear()`.
 */
export function nodeCounter(dir: string) {
  const bin = join(dir, "counting-bin");
  const log = join(dir, "node-starts.log");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "node"), `#!/bin/sh\necho "$$ $*" >> "${log}"\nexec "${process.execPath}" "$@"\n`, {
    mode: 0o755,
  });
  const lines = () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []);
  return {
    env: () => ({ PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` }),
    clear: () => writeFileSync(log, ""),
    /** `[pid, hook]` of every esinfer hook started. */
    starts: (): [number, string][] =>
      lines().flatMap((line) => {
        const m = /^(\d+) .*esinfer\.js tf (\w+)$/.exec(line);
        return m ? [[Number(m[1]), m[2]!] as [number, string]] : [];
      }),
  };
}

/** Whether a process runs (signal 0 probes it). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * `describe` when a terraform binary is installed; otherwise `describe.skip`, saying so once for `testFile` (a test
 * skipped silently would pass for the wrong reason).
 */
export function describeWithTerraform(testFile: string): jest.Describe {
  if (terraformVersion()) return describe;
  // eslint-disable-next-line no-console
  console.warn(`SKIPPED ${testFile}: no terraform binary on PATH (set TERRAFORM_BINARY_NAME to use another)`);
  return describe.skip;
}

/** What changed an emulator's endpoints, in order: `METHOD path` (a `DELETE ?dry_run=true` only asks what uses one). */
export function inferenceWrites(emulator: Pick<Emulator, "requests">): string[] {
  return emulator.requests
    .list()
    .filter((r) => r.method !== "GET" && r.path.startsWith("/_inference") && r.query.dry_run !== "true")
    .map((r) => `${r.method} ${r.path}`);
}
