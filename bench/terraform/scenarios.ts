/**
 * The Terraform path measured (issue 11): `terraform apply` of N creations, then of N in-place updates, of the
 * synthesized stack, beside `esinfer apply --no-synth` of the same synthesized stack, and Terraform's own cost for
 * the same N endpoint records without the anchor, the runner and its hook (the floor: per-resource work inside
 * Terraform). Whole processes
 * are timed, from start to exit (Terraform's start, its graph, its state writes, the hook's start included; for
 * esinfer, Node's start and module loading included), and the esinfer processes each `terraform apply` starts are
 * counted for real: a `node` first on PATH logs every start.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Emulator } from "../../lib/emulator";
import { TERRAFORM, nodeCounter, terraformOk } from "../../test/helpers/terraform";
import { SECRET_ENV, declarations } from "../declarations";
import { formatMs, type Row } from "../table";
import { updated, type BenchApp } from "./app";

export interface TerraformRow extends Row {
  /** esinfer processes the run started (`terraform apply` counts its hooks; `esinfer apply` is one). */
  readonly processes: number;
}

export interface TerraformOptions {
  readonly sizes: readonly number[];
  /** Terraform's `-parallelism` values to run the Terraform path with (10 is Terraform's default). */
  readonly parallelism: readonly number[];
}

export const TERRAFORM_SIZES = [100, 1000];

const ROOT = join(__dirname, "..", "..");
const GNU_TIME = "/usr/bin/time";

interface Timed {
  readonly wallMs: number;
  /** User + system CPU of the process and the children it waited for (GNU time), when available. */
  readonly cpuMs: number;
  readonly peakMb: number;
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command to its end, timing it (and, through GNU time where there is one, its CPU time and peak memory). */
function timed(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<Timed> {
  const usage = join(options.cwd, `.usage-${process.pid}-${Date.now()}`);
  const withTime = existsSync(GNU_TIME);
  const [file, argv] = withTime ? [GNU_TIME, ["-f", "%U %S %M", "-o", usage, command, ...args]] : [command, [...args]];
  const started = performance.now();
  const child = spawn(file, argv, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      let cpuMs = Number.NaN;
      let peakMb = Number.NaN;
      if (withTime && existsSync(usage)) {
        const [user, system, maxRssKb] = readFileSync(usage, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
        cpuMs = (user! + system!) * 1000;
        peakMb = maxRssKb! / 1024;
        rmSync(usage, { force: true });
      }
      resolve({ wallMs, cpuMs, peakMb, code, output });
    });
  });
}

/**
 * Rewrites a synthesized stack to its endpoint records alone: the anchor and the runner removed, and with them the
 * records' dependency on the runner and their reference to the anchor (a literal instead).
 */
function recordsAlone(file: string): void {
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    resource: { terraform_data: Record<string, { triggers_replace: Record<string, string>; depends_on?: string[] }> };
  };
  const resources = json.resource.terraform_data;
  for (const [name, body] of Object.entries(resources)) {
    if (body.triggers_replace.esinfer !== "endpoint") delete resources[name];
    else {
      delete body.depends_on;
      body.triggers_replace.cluster_anchor = "the-anchor";
    }
  }
  writeFileSync(file, JSON.stringify(json, null, 2));
}

export class TerraformBench {
  readonly rows: TerraformRow[] = [];
  private readonly dirs: string[] = [];

  constructor(private readonly emulator: Emulator) {}

  private project(): string {
    const dir = mkdtempSync(join(tmpdir(), "esinfer-bench-tf-"));
    this.dirs.push(dir);
    // esinfer apply without -f reads the stacks synthesized into cdktf.out (not running an app: --no-synth).
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "true" }));
    return dir;
  }

  /** Synthesizes the bench app into `projectDir`; returns how long it took (the drift lookup included, if on). */
  private async synth(projectDir: string, app: Pick<BenchApp, "n" | "variant">, lookup = false) {
    const request: BenchApp = { ...app, url: this.emulator.url, outdir: join(projectDir, "cdktf.out"), projectDir };
    const run = await timed(process.execPath, ["--import", "tsx", join(__dirname, "app.ts"), JSON.stringify(request)], {
      cwd: ROOT,
      env: { ...process.env, ...SECRET_ENV, ESINFER_LOOKUP: lookup ? "1" : "0" },
    });
    if (run.code !== 0) throw new Error(`synthesizing ${app.n} endpoints failed:\n${run.output}`);
    return run;
  }

  /** Runs `terraform apply` (or `esinfer apply`) and records a row; `check` says whether it did the work. */
  private async measure(
    label: { operation: string; contender: string; n: number },
    run: () => Promise<Timed>,
    counter: ReturnType<typeof nodeCounter> | undefined,
    check: () => string | undefined,
  ): Promise<TerraformRow> {
    process.stderr.write(`  ${label.operation} ${label.n} ${label.contender}... `);
    this.emulator.requests.clear();
    counter?.clear();
    const result = await run();
    if (result.code !== 0)
      throw new Error(`${label.contender} ${label.operation} failed:\n${result.output.slice(-4000)}`);
    const problem = check();
    if (problem) throw new Error(`${label.contender} ${label.operation} of ${label.n} did not do the work: ${problem}`);
    const row: TerraformRow = {
      ...label,
      requests: this.emulator.requests.length,
      maxInFlight: this.emulator.requests.stats().maxInFlight,
      wallMs: result.wallMs,
      cpuMs: result.cpuMs,
      peakMb: result.peakMb,
      // esinfer apply is one esinfer process.
      processes: counter ? counter.starts().length : 1,
    };
    process.stderr.write(`${formatMs(row.wallMs)}, ${row.requests} requests, ${row.processes} esinfer processes\n`);
    this.rows.push(row);
    return row;
  }

  /** Every endpoint in the cluster as declared by `variant` (creates), or updated (`_update` sent for each). */
  private checker(n: number, variant: BenchApp["variant"]): () => string | undefined {
    return () => {
      const live = new Map(this.emulator.endpoints().map((e) => [e.inference_id, e]));
      const wanted = declarations(n).map((d) => (variant === "updated" ? updated(d) : d));
      const wrong = wanted.filter((d) => {
        const e = live.get(d.inference_id);
        if (!e) return true;
        if (d.task_settings) return JSON.stringify(e.task_settings) !== JSON.stringify(d.task_settings);
        return e.service_settings.num_allocations !== d.service_settings.num_allocations;
      });
      if (live.size !== n || wrong.length > 0)
        return `${live.size} endpoints in the cluster, ${wrong.length} not as declared (e.g. ${wrong[0]?.inference_id})`;
      return undefined;
    };
  }

  async run(options: TerraformOptions): Promise<void> {
    for (const n of options.sizes) {
      for (const parallelism of options.parallelism) await this.terraformPath(n, parallelism);
      await this.esinferApply(n);
      await this.bare(n);
    }
  }

  /** `terraform apply` of the synthesized stack: N creations, then N in-place updates. */
  private async terraformPath(n: number, parallelism: number): Promise<void> {
    this.emulator.reset();
    const dir = this.project();
    const stackDir = join(dir, "cdktf.out", "stacks", "bench");
    const counter = nodeCounter(dir);
    const env = { ...process.env, ...SECRET_ENV, ...counter.env(), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    const contender = `Terraform path${parallelism === 10 ? "" : ` -parallelism=${parallelism}`}`;
    const apply = () =>
      timed(TERRAFORM, [`-chdir=${stackDir}`, "apply", "-auto-approve", "-no-color", `-parallelism=${parallelism}`], {
        cwd: dir,
        env,
      });
    await this.synth(dir, { n, variant: "base" });
    await terraformOk(stackDir, ["init"], {});
    await this.measure({ operation: "tf apply: create", contender, n }, apply, counter, this.checker(n, "base"));
    if (parallelism === 10) {
      // What a synthesis with the drift lookup costs (a read of the cluster and the state), against one without.
      for (const lookup of [false, true]) {
        const run = await this.synth(dir, { n, variant: "updated" }, lookup);
        this.rows.push({
          operation: lookup ? "synthesize, drift lookup" : "synthesize, offline",
          n,
          contender: "the app (tsx, child process)",
          requests: Number.NaN,
          maxInFlight: Number.NaN,
          wallMs: run.wallMs,
          cpuMs: run.cpuMs,
          peakMb: run.peakMb,
          processes: lookup ? 1 : 0,
        });
      }
    } else await this.synth(dir, { n, variant: "updated" });
    await this.measure({ operation: "tf apply: update", contender, n }, apply, counter, this.checker(n, "updated"));
  }

  /** `esinfer apply --no-synth` of the same synthesized stack (its own state, a fresh cluster). */
  private async esinferApply(n: number): Promise<void> {
    this.emulator.reset();
    const dir = this.project();
    const env = { ...process.env, ...SECRET_ENV };
    const cli = [join(ROOT, "bin", "esinfer.js"), "apply", "--no-synth", "--auto-approve"];
    const apply = () => timed(process.execPath, cli, { cwd: dir, env });
    const contender = "esinfer apply --no-synth";
    await this.synth(dir, { n, variant: "base" });
    await this.measure({ operation: "tf apply: create", contender, n }, apply, undefined, this.checker(n, "base"));
    await this.synth(dir, { n, variant: "updated" });
    await this.measure({ operation: "tf apply: update", contender, n }, apply, undefined, this.checker(n, "updated"));
  }

  /**
   * Terraform alone: the Terraform path's own N endpoint records, as synthesized, without the anchor, the runner and
   * its hook (created, then their declarations changed).
   */
  private async bare(n: number): Promise<void> {
    const dir = this.project();
    const stackDir = join(dir, "cdktf.out", "stacks", "bench");
    const counter = nodeCounter(dir);
    const env = { ...process.env, ...counter.env(), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    const apply = () =>
      timed(TERRAFORM, [`-chdir=${stackDir}`, "apply", "-auto-approve", "-no-color"], { cwd: dir, env });
    const contender = "records alone (reference)";
    const nothingToCheck = () => undefined; // nothing reaches the cluster
    await this.synth(dir, { n, variant: "base" });
    recordsAlone(join(stackDir, "cdk.tf.json"));
    await terraformOk(stackDir, ["init"], {});
    await this.measure({ operation: "tf apply: create", contender, n }, apply, counter, nothingToCheck);
    await this.synth(dir, { n, variant: "updated" });
    recordsAlone(join(stackDir, "cdk.tf.json"));
    await this.measure({ operation: "tf apply: update", contender, n }, apply, counter, nothingToCheck);
  }

  cleanUp(): void {
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}
