/**
 * The benchmark of issue 4: plan and apply of N endpoints against the emulator with injected latency, esinfer
 * against (a) a naive script with the official client and (b) the per-resource model of a Terraform provider.
 * Every measured scenario runs in a fresh child process (its wall time and peak memory are its own); requests are
 * counted by the emulator, which runs here. Prints a Markdown table, then PASS/FAIL per target.
 *
 *   npm run bench                  N = 10, 100, 1000 and the plan of 10,000
 *   npm run bench -- --quick       N = 10, 100 only
 *   npm run bench -- --latency 20  injected latency per request, ms (default 20)
 *   npm run bench -- --sizes 1000 --only esinfer --big 0   a subset (for profiling); --big N: size of the big plan
 *   npm run bench -- --terraform   also the Terraform path (issue 11): terraform apply of N = 100 and 1,000 creations
 *                                  and in-place updates beside esinfer apply --no-synth (needs a terraform binary)
 *   npm run bench -- --terraform-only [--tf-sizes 100] [--tf-parallelism 10,100]   the Terraform path alone
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator, type Emulator } from "../lib/emulator";
import { SECRET_ENV, declarations, requestBody } from "./declarations";
import {
  CONTENDERS,
  LABEL,
  type ContenderName,
  type Job,
  type Measurement,
  type Operation,
  type Outcome,
} from "./contender";
import { formatMb, formatMs, markdownTable, type Row } from "./table";
import { BIG_PLAN, targets } from "./targets";
import { ensureBuilt } from "../test/helpers/terraform";
import { TERRAFORM_SIZES, TerraformBench } from "./terraform/scenarios";
import { terraformTable, terraformTargets } from "./terraform/targets";

interface Options {
  readonly quick: boolean;
  readonly latencyMs: number;
  readonly sizes: readonly number[];
  readonly contenders: readonly ContenderName[];
  /** Endpoints of the big plan (10,000; 0: not run). */
  readonly big: number;
  /** Runs of every scenario; the table shows the median (by wall time). */
  readonly repeat: number;
  /** Measure the Terraform path too (`--terraform`), or only it (`--terraform-only`). */
  readonly terraform: "no" | "also" | "only";
  readonly tfSizes: readonly number[];
  readonly tfParallelism: readonly number[];
}

function parseArgs(argv: readonly string[]): Options {
  let quick = false;
  let latencyMs = 20;
  let sizes: number[] | undefined;
  let contenders: ContenderName[] = [...CONTENDERS];
  let big = BIG_PLAN;
  let repeat: number | undefined;
  let terraform: Options["terraform"] = "no";
  let tfSizes = TERRAFORM_SIZES;
  let tfParallelism = [10];
  const counts = (flag: string, text: string | undefined) => {
    const values = (text ?? "").split(",").map(Number);
    if (values.some((n) => !(Number.isInteger(n) && n > 0)))
      throw new Error(`${flag} needs positive integers, e.g. 100,1000`);
    return values;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--quick") quick = true;
    else if (arg === "--latency") latencyMs = Number(argv[++i]);
    else if (arg === "--sizes") sizes = (argv[++i] ?? "").split(",").map(Number);
    else if (arg === "--only") contenders = (argv[++i] ?? "").split(",") as ContenderName[];
    else if (arg === "--big") big = Number(argv[++i]);
    else if (arg === "--repeat") repeat = Number(argv[++i]);
    else if (arg === "--terraform") terraform = "also";
    else if (arg === "--terraform-only") terraform = "only";
    else if (arg === "--tf-sizes") tfSizes = counts(arg, argv[++i]);
    else if (arg === "--tf-parallelism") tfParallelism = counts(arg, argv[++i]);
    else
      throw new Error(
        `unknown argument ${arg} (expected --quick, --latency MS, --sizes N,N, --only C,C, --big N, --repeat K, ` +
          "--terraform, --terraform-only, --tf-sizes N,N, --tf-parallelism P,P)",
      );
  }
  if (!(latencyMs >= 0)) throw new Error("--latency needs a number of milliseconds");
  if (sizes?.some((n) => !(Number.isInteger(n) && n > 0)))
    throw new Error("--sizes needs positive integers, e.g. 10,100");
  if (!(Number.isInteger(big) && big >= 0)) throw new Error("--big needs a number of endpoints (0: none)");
  if (repeat !== undefined && !(Number.isInteger(repeat) && repeat > 0)) throw new Error("--repeat needs a count");
  const unknown = contenders.filter((c) => !CONTENDERS.includes(c));
  if (unknown.length > 0) throw new Error(`--only: unknown contender ${unknown[0]} (${CONTENDERS.join(", ")})`);
  return {
    quick,
    latencyMs,
    sizes: sizes ?? (quick ? [10, 100] : [10, 100, 1000]),
    contenders,
    big: quick || !contenders.includes("esinfer") ? 0 : big,
    repeat: repeat ?? (quick ? 1 : 3),
    terraform,
    tfSizes,
    tfParallelism,
  };
}

/** Runs one job in a fresh `node --import tsx` process and reads its measurement. */
function runChild(job: Job): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(__dirname, "child.ts"), JSON.stringify(job)], {
      cwd: join(__dirname, ".."), // where tsx resolves
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{"))
        return reject(new Error(`${job.contender} ${job.operation} of ${job.n} failed (exit code ${code})`));
      resolve(JSON.parse(last) as Measurement);
    });
  });
}

class Bench {
  readonly rows: Row[] = [];
  private readonly dirs: string[] = [];

  constructor(
    private readonly emulator: Emulator,
    private readonly repeat: number,
  ) {}

  workDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "esinfer-bench-"));
    this.dirs.push(dir);
    return dir;
  }

  /**
   * Runs one scenario, counts the requests the emulator received, and records a row. `done` checks that the
   * contender did the work (by default: every endpoint found as declared, or created).
   */
  async measure(
    contender: ContenderName,
    operation: Operation,
    n: number,
    workDir: string,
    { label = operation, done = (o) => o.endpoints === n }: { label?: string; done?: (o: Outcome) => boolean } = {},
  ): Promise<Row> {
    process.stderr.write(`  ${label} ${n} ${LABEL[contender]}... `);
    this.emulator.requests.clear();
    const m = await runChild({ contender, operation, n, url: this.emulator.url, workDir });
    if (!m.outcome || !done(m.outcome))
      throw new Error(`${contender} ${label} of ${n} did not do the work: ${m.outcome?.summary ?? "no outcome"}`);
    const row: Row = {
      operation: label,
      n,
      contender: LABEL[contender],
      requests: this.emulator.requests.length,
      maxInFlight: this.emulator.requests.stats().maxInFlight,
      wallMs: m.wallMs,
      cpuMs: m.cpuMs,
      peakMb: m.maxRssKb / 1024,
    };
    process.stderr.write(
      `${formatMs(row.wallMs)} (CPU ${formatMs(row.cpuMs)}), ${row.requests} requests, ${formatMb(row.peakMb)}\n`,
    );
    return row;
  }

  /** Records the median run (by wall time): a shared machine makes single runs noisy. */
  private record(runs: readonly Row[]): void {
    this.rows.push([...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor((runs.length - 1) / 2)]!);
  }

  /**
   * Every contender's apply of `n` creations in an empty cluster, then its plan against the result (every endpoint
   * as declared), `repeat` times. The runs are interleaved (round k runs every contender once) so that a slow spell
   * of a shared machine falls on all contenders alike, not on one.
   */
  async applyThenPlan(contenders: readonly ContenderName[], n: number): Promise<void> {
    const applies = new Map<ContenderName, Row[]>(contenders.map((c) => [c, []]));
    const plans = new Map<ContenderName, Row[]>(contenders.map((c) => [c, []]));
    for (let run = 0; run < this.repeat; run++)
      for (const contender of contenders) {
        this.emulator.reset(); // also clears the log and restores the base latency
        const dir = this.workDir();
        applies.get(contender)!.push(await this.measure(contender, "apply", n, dir));
        plans.get(contender)!.push(await this.measure(contender, "plan", n, dir));
      }
    for (const contender of contenders) {
      this.record(applies.get(contender)!);
      this.record(plans.get(contender)!);
    }
  }

  /**
   * esinfer's plan of a big stack: first against an empty cluster (everything to create), then against a cluster
   * where every endpoint exists and is owned. The latter is set up without requests (endpoints created inside the
   * emulator, then recorded in the stack's state; not measured).
   */
  async bigPlan(n: number): Promise<void> {
    this.emulator.reset();
    const first: Row[] = [];
    for (let run = 0; run < this.repeat; run++)
      first.push(
        await this.measure("esinfer", "plan", n, this.workDir(), {
          label: "first plan",
          done: (o) => o.toCreate === n,
        }),
      );
    this.record(first);
    const dir = this.workDir();
    process.stderr.write(`  setting up ${n} endpoints (not measured)... `);
    for (const d of declarations(n))
      this.emulator.createEndpoint(d.inference_id, requestBody(d, SECRET_ENV), d.task_type);
    const setup = await runChild({ contender: "esinfer", operation: "seed", n, url: this.emulator.url, workDir: dir });
    if (setup.outcome?.endpoints !== n) throw new Error(`setup of ${n} endpoints failed: ${setup.outcome?.summary}`);
    process.stderr.write(`${setup.outcome.summary}\n`);
    const plans: Row[] = [];
    for (let run = 0; run < this.repeat; run++) plans.push(await this.measure("esinfer", "plan", n, dir));
    this.record(plans);
  }

  /** Sends the emulator a few of each request first, so that the first scenario does not pay for its warm-up. */
  async warmUp(): Promise<void> {
    const url = this.emulator.url;
    const json = { "content-type": "application/json" };
    for (const d of declarations(60)) {
      const body = JSON.stringify(requestBody(d, SECRET_ENV));
      await fetch(`${url}/_inference/${d.task_type}/${d.inference_id}`, { method: "PUT", headers: json, body });
      await (await fetch(`${url}/_inference/${d.inference_id}`)).text();
    }
    await (await fetch(`${url}/_inference/_all`)).text();
    this.emulator.reset();
  }

  async floor(contender: ContenderName): Promise<number> {
    const m = await runChild({ contender, operation: "idle", n: 0, url: this.emulator.url, workDir: this.workDir() });
    return m.maxRssKb / 1024;
  }

  cleanUp(): void {
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * esinfer is measured compiled, as the CLI and the package run it: builds `dist/` first (incremental, quick). tsc
 * emits despite type errors (of work in progress elsewhere in the tree): they are printed, and the bench goes on.
 */
function build(): void {
  process.stderr.write("esinfer bench: building dist/ (tsc -p tsconfig.build.json)\n");
  ensureBuilt();
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  build();
  const emulator = await startEmulator({ latencyMs: options.latencyMs });
  const bench = new Bench(emulator, options.repeat);
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = () => loadavg()[0]!.toFixed(1);
  const loadAtStart = load();
  process.stderr.write(
    `esinfer bench: emulator ${emulator.version} at ${emulator.url}, ${options.latencyMs} ms latency per request\n`,
  );
  const terraformBench = new TerraformBench(emulator);
  try {
    await bench.warmUp();
    const out: string[] = [];
    if (options.terraform !== "only") out.push(...(await engineSection(bench, options)));
    if (options.terraform !== "no") {
      await terraformBench.run({ sizes: options.tfSizes, parallelism: options.tfParallelism });
      out.push(
        "",
        "The Terraform path: whole processes timed from start to exit (Terraform's own work and the hooks' start " +
          "included; esinfer apply includes Node's start). One run each.",
        "",
        terraformTable(terraformBench.rows),
        "",
        ...terraformTargets(terraformBench.rows),
      );
    }
    const header =
      `Emulated Elasticsearch ${emulator.version}, ${options.latencyMs} ms injected latency per request; ` +
      `Node ${process.version}, ${availableParallelism()} x ${cpu}, load average ${loadAtStart} at start and ` +
      `${load()} at the end (other work on the machine makes timings noisy); ${new Date().toISOString().slice(0, 10)}.`;
    process.stdout.write(`${[header, "", ...out].join("\n")}\n`);
  } finally {
    bench.cleanUp();
    terraformBench.cleanUp();
    await emulator.stop();
  }
}

/** The engine's scenarios (issue 4): plan and apply of N endpoints against the contenders, and the big plan. */
async function engineSection(bench: Bench, options: Options): Promise<string[]> {
  for (const n of options.sizes) await bench.applyThenPlan(options.contenders, n);
  if (options.big > 0) await bench.bigPlan(options.big);
  const floors = await Promise.all([bench.floor("esinfer"), bench.floor("naive")]);
  const order = (r: Row) => ["plan", "first plan", "apply"].indexOf(r.operation);
  const rows = [...bench.rows].sort((a, b) => order(a) - order(b) || a.n - b.n);
  return [
    markdownTable(rows),
    "",
    `Each scenario runs in a fresh child process, ${options.repeat} time${options.repeat === 1 ? "" : "s"}: the table shows the median run ` +
      `(by wall time). Requests: counted by the emulator. Wall time: the operation ` +
      `alone (process start and module loading excluded). CPU time: user + system time of the child during the ` +
      `operation (all its threads). Peak memory: the child's maximum resident set size; the floor of such a ` +
      `process (node, tsx and the contender's modules loaded, nothing done) is ${formatMb(floors[0])} for esinfer ` +
      `and ${formatMb(floors[1])} for the official client.`,
    "",
    ...targets(rows, options.latencyMs),
  ];
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
