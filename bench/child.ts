/**
 * One measured scenario in a fresh process, so that its peak memory is its own: loads one contender, builds the
 * declarations, then times the operation. Prints a `Measurement` as JSON on its last line of standard output.
 *
 *   node --import tsx bench/child.ts '{"contender":"esinfer","operation":"plan","n":1000,"url":"...","workDir":"..."}'
 */
import { performance } from "node:perf_hooks";
import type { Contender, ContenderName, Job, Measurement } from "./contender";
import { SECRET_ENV, declarations } from "./declarations";

async function load(name: ContenderName): Promise<Contender> {
  switch (name) {
    case "esinfer":
      return (await import("./contenders/esinfer")).esinfer;
    case "naive":
      return (await import("./contenders/naive")).naive;
    case "terraform":
      return (await import("./contenders/terraform")).terraform;
    case "floor":
      return (await import("./contenders/floor")).floor;
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "") as Job;
  const contender = await load(job.contender);
  const declared = declarations(job.n);
  const ctx = { url: job.url, workDir: job.workDir, env: SECRET_ENV };
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcome =
    job.operation === "idle"
      ? undefined
      : job.operation === "seed"
        ? await (await import("./contenders/esinfer")).seed(declared, ctx)
        : await contender[job.operation](declared, ctx);
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  const measurement: Measurement = {
    wallMs,
    cpuMs: (user + system) / 1000,
    maxRssKb: process.resourceUsage().maxRSS,
    outcome,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
