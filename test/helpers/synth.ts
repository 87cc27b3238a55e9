/** Synthesizing CDK for Terraform apps with esinfer's constructs in-process, into temporary directories. */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Construct } from "constructs";
import { unescapeTerraform } from "../../lib/constructs/hook-contract";
import type { AppShape } from "../terraform/app";
import { tempDir } from "./stack";

export type Runtime = "cdktf" | "cdktn";

export interface Synthesized {
  /** The parsed cdk.tf.json of the stack. */
  readonly json: TerraformJson;
  /** The text of cdk.tf.json (to search for leaks). */
  readonly text: string;
  readonly outdir: string;
  readonly projectDir: string;
}

export interface TerraformJson {
  resource?: Record<string, Record<string, TerraformResourceJson>>;
  provider?: Record<string, unknown>;
  terraform?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface TerraformResourceJson {
  triggers_replace?: Record<string, string>;
  triggers?: Record<string, string>;
  input?: Record<string, string>;
  provisioner?: { "local-exec": LocalExec }[];
  lifecycle?: Record<string, unknown>;
  depends_on?: string[];
  [key: string]: unknown;
}

export interface LocalExec {
  command: string;
  interpreter?: string[];
  environment?: Record<string, string>;
  when?: string;
  [key: string]: unknown;
}

export interface SynthOptions {
  readonly runtime?: Runtime;
  readonly projectDir?: string;
  readonly stackId?: string;
  readonly outdir?: string;
  /**
   * Let the clusters look the stack up in their cluster (the drift lookup, which runs the compiled CLI: build
   * first). Default false: synthesis offline, as `ESINFER_LOOKUP=0` makes it.
   */
  readonly lookup?: boolean;
  /** Environment of the synthesis (and of its lookup), on top of the test's. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Builds a stack with `build` and synthesizes it (validations included); throws what synthesis throws. */
export function synthStack(build: (stack: Construct) => void, options: SynthOptions = {}): Synthesized {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdk = require(options.runtime ?? "cdktf") as typeof import("cdktf");
  const projectDir = options.projectDir ?? tempDir("esinfer-project-");
  const outdir = options.outdir ?? join(projectDir, "cdktf.out");
  const stackId = options.stackId ?? "search";
  withEnv({ ESINFER_LOOKUP: options.lookup ? undefined : "0", ...options.env }, () => {
    const app = new cdk.App({ outdir, context: { "esinfer:projectDir": projectDir } });
    const stack = new cdk.TerraformStack(app, stackId);
    build(stack);
    app.synth();
  });
  const text = readFileSync(join(outdir, "stacks", stackId, "cdk.tf.json"), "utf8");
  return { json: JSON.parse(text) as TerraformJson, text, outdir, projectDir };
}

/**
 * Synthesizes test/terraform/app.ts with `shape` in a child process, as `cdktf synth` runs an app, into
 * `<projectDir>/cdktf.out` (stack `search`). Its drift lookup may then read an emulator running in this process.
 * Resolves with what it printed on stderr (warnings); rejects when synthesis fails.
 */
export async function synthApp(
  projectDir: string,
  shape: AppShape,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<Synthesized & { stderr: string }> {
  const root = join(__dirname, "..", "..");
  const outdir = join(projectDir, "cdktf.out");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "test", "terraform", "app.ts"), JSON.stringify({ outdir, projectDir, shape })],
    // The shape says whether to look up (an ESINFER_LOOKUP of the test run's own environment does not).
    { cwd: root, env: { ...process.env, ESINFER_LOOKUP: undefined, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`synthesizing test/terraform/app.ts failed (${code}):\n${output}\n${stderr}`);
  const text = readFileSync(join(outdir, "stacks", "search", "cdk.tf.json"), "utf8");
  return { json: JSON.parse(text) as TerraformJson, text, outdir, projectDir, stderr };
}

/** Runs `work` with these environment variables set (undefined: unset), restoring the environment afterwards. */
export function withEnv<T>(env: Readonly<Record<string, string | undefined>>, work: () => T): T {
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (k: string, v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
  for (const [k, v] of Object.entries(env)) set(k, v);
  try {
    return work();
  } finally {
    for (const [k, v] of saved) set(k, v);
  }
}

/** esinfer's resources of a synthesized stack, by kind (`cluster`, `apply`, `endpoint`). */
export function esinferResources(
  json: TerraformJson,
  type = "terraform_data",
): { address: string; kind: string; values: Record<string, string>; body: TerraformResourceJson }[] {
  return Object.entries(json.resource?.[type] ?? {}).flatMap(([address, body]) => {
    const values = { ...body.triggers, ...body.triggers_replace, ...body.input };
    return values.esinfer ? [{ address, kind: values.esinfer, values, body }] : [];
  });
}

/**
 * The environment Terraform gives a resource's hook (`when` picks the create or the destroy-time one): each
 * `${self.<part>.<key>}` resolved from the resource's own values, unescaped as Terraform hands them over.
 */
export function hookCommand(
  resource: { body: TerraformResourceJson },
  when: "create" | "destroy",
): { command: string; environment: Record<string, string> } {
  const exec = resource.body.provisioner
    ?.map((p) => p["local-exec"])
    .find((e) => (when === "destroy") === (e.when === "destroy"));
  if (!exec) throw new Error(`no ${when} hook on this resource`);
  const self: Record<string, Record<string, string> | undefined> = {
    triggers_replace: resource.body.triggers_replace,
    input: resource.body.input,
    triggers: resource.body.triggers,
  };
  const environment = Object.fromEntries(
    Object.entries(exec.environment ?? {}).map(([name, ref]) => {
      const [, part, key] = /^\$\{self\.(\w+)\.(\w+)\}$/.exec(ref) ?? [];
      const value = part && key ? self[part]?.[key] : undefined;
      if (value === undefined) throw new Error(`${name}: ${ref} does not resolve from self`);
      return [name, unescapeTerraform(value)];
    }),
  );
  return { command: exec.command, environment };
}
