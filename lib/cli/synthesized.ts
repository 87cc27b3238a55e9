/**
 * Stacks from a CDK for Terraform project: without `-f`, esinfer runs the app of `cdktf.json` (as `cdktf synth`
 * does, unless `--no-synth`) and reads the esinfer stacks from its output directory; `--stack NAME` picks one.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SynthesizedStackError, readSynthesizedStacks, type SynthesizedStack } from "../constructs/read-synthesized";
import { parseManifest, type Stack } from "../engine";
import { ValidationError } from "../model";
import { UsageError, type Io } from "./io";

export interface SynthesizedStackOptions {
  /** The esinfer stack to pick (required when the app has several). */
  readonly stack?: string;
  /** Run the app first (default true). */
  readonly synth: boolean;
  /** Context values for the app, over those of cdktf.json (`node.tryGetContext`). */
  readonly context?: Readonly<Record<string, unknown>>;
}

interface CdktfJson {
  readonly app?: string;
  readonly output?: string;
  readonly context?: Record<string, unknown>;
}

/** Synthesizes the project's app (unless told not to) and returns the chosen esinfer stack. */
export async function loadSynthesizedStack(io: Io, options: SynthesizedStackOptions): Promise<Stack> {
  return (await loadSynthesized(io, options)).stack;
}

/** As `loadSynthesizedStack`, with what was read from the synthesized output (file, resource count). */
export async function loadSynthesized(
  io: Io,
  options: SynthesizedStackOptions,
): Promise<{ stack: Stack; synthesized: SynthesizedStack }> {
  const { config, outdir } = readProject(io.cwd);
  if (options.synth) await synthesize(io, config, outdir, options.context);
  let stacks: SynthesizedStack[];
  try {
    stacks = readSynthesizedStacks(outdir);
  } catch (e) {
    if (e instanceof SynthesizedStackError) throw new UsageError(e.message);
    throw e;
  }
  const chosen = choose(stacks, options.stack);
  const { stack, issues } = parseManifest(chosen.manifest, { baseDir: chosen.projectDir });
  if (!stack) throw new ValidationError(issues, `Invalid synthesized stack ${chosen.name}`);
  return { stack, synthesized: chosen };
}

/** The project's cdktf.json and output directory. */
function readProject(projectDir: string): { config: CdktfJson; outdir: string } {
  const file = join(projectDir, "cdktf.json");
  if (!existsSync(file))
    throw new UsageError(
      `no -f MANIFEST and no cdktf.json in ${projectDir}: run esinfer in your CDK for Terraform project, or pass -f`,
      2,
    );
  let config: CdktfJson;
  try {
    config = JSON.parse(readFileSync(file, "utf8")) as CdktfJson;
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return { config, outdir: resolve(projectDir, config.output ?? "cdktf.out") };
}

/** Runs the app command of cdktf.json (a shell command, as cdktf-cli runs it) with the outdir and context. */
async function synthesize(
  io: Io,
  config: CdktfJson,
  outdir: string,
  context: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  if (!config.app) throw new UsageError(`cdktf.json has no "app" command to synthesize the stacks with`);
  const env = {
    ...io.env,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTEXT_JSON: JSON.stringify({ ...config.context, ...context }),
  } as NodeJS.ProcessEnv;
  const child = spawn(config.app, { cwd: io.cwd, env, shell: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
  const code = await new Promise<number | null>((done, fail) => {
    child.on("error", fail);
    child.on("close", done);
  });
  if (code !== 0)
    throw new UsageError(
      `synthesizing the app (${config.app}) failed${code === null ? "" : ` with exit code ${code}`}:\n${output.trim()}`,
    );
}

function choose(stacks: readonly SynthesizedStack[], name: string | undefined): SynthesizedStack {
  const names = stacks.map((s) => s.name);
  if (stacks.length === 0)
    throw new UsageError("the synthesized app declares no esinfer stack (no ElasticsearchCluster)");
  if (name === undefined) {
    if (stacks.length === 1) return stacks[0]!;
    throw new UsageError(`the app has several esinfer stacks (${names.join(", ")}): pick one with --stack NAME`);
  }
  const found = stacks.find((s) => s.name === name);
  if (!found) throw new UsageError(`--stack ${name}: no such esinfer stack (the app has ${names.join(", ")})`);
  return found;
}
