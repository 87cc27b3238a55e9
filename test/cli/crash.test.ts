/**
 * A crash at any moment converges: `esinfer apply` (the real CLI, a child process) is killed with SIGKILL at a
 * random moment of an apply that creates, updates, replaces and deletes; a re-run then ends with every declared
 * endpoint existing once, as declared, nothing the stack created forgotten, and nothing unowned touched. Twenty
 * trials, half with the state in a file and half in the cluster; the moments come from a seeded generator, so a
 * failure is reproducible (the trial's seed and delay are in the message).
 *
 * With ESINFER_REPORT_TIMINGS=1 the number of trials that converged is printed.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ENV, createOutsideEsinfer, embeddings, useCli } from "./harness";
import { spawnCli } from "../helpers/spawn-cli";
import { reportFigure } from "../helpers/report";

jest.setTimeout(600_000);

const cli = useCli({ latencyMs: 40 });

const TRIALS = 20;

/** Mulberry32: a small seeded generator, so the kill moments are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const emb = (id: string, extra: Record<string, unknown> = {}) => ({ ...embeddings(extra), inference_id: id });

/** What the stack holds before: four endpoints. */
const before = () => [emb("keep"), emb("tune"), emb("grow"), emb("drop")];

/** What it declares after: one unchanged, one updated in place, one replaced, one deleted, three created. */
const after = () => [
  emb("keep"),
  emb("tune", { task_settings: { user: "after" } }),
  emb("grow", {
    service_settings: { model_id: "text-embedding-3-small", api_key: { env: "OPENAI_API_KEY" }, dimensions: 256 },
  }),
  emb("new-1"),
  emb("new-2"),
  emb("new-3"),
];

test(`SIGKILL at ${TRIALS} random moments of an apply, then a re-run: it converges every time`, async () => {
  const next = random(20261206);
  let converged = 0;
  const moments = { "before any change": 0, "mid-apply": 0, "after it finished": 0 };
  for (let trial = 0; trial < TRIALS; trial++) {
    const backend = trial % 2 === 0 ? "file" : "cluster";
    const extra = backend === "cluster" ? { state: { backend: "cluster" } } : {};
    cli.emu.reset();
    rmSync(join(cli.dir(), ".esinfer"), { recursive: true, force: true });
    createOutsideEsinfer(cli.emu);
    const outsider = JSON.stringify(cli.emu.endpoints().find((e) => e.inference_id === "someone-elses"));
    cli.manifest(before(), extra);
    expect((await cli.run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0);

    cli.manifest(after(), extra);
    cli.emu.requests.clear();
    // A quarter of the kills land anywhere from start-up on; the others once the apply has begun its work.
    const early = next() < 0.25;
    const delay = Math.floor(next() * (early ? 800 : 500));
    const where = `trial ${trial} (${backend} state, SIGKILL ${delay} ms after ${early ? "start" : "the first step"})`;
    const run = spawnCli(["apply", "-f", "m.json", "--auto-approve", "--parallelism", "2"], {
      cwd: cli.dir(),
      env: ENV,
    });
    if (!early) await run.waitFor(/ing\.\.\.\n/).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, delay));
    run.child.kill("SIGKILL");
    const exit = await run.exited;
    const changes = cli.emu.requests
      .list()
      .filter(
        (r) => r.path.startsWith("/_inference/") && (r.method === "PUT" || (r.method === "DELETE" && !r.query.dry_run)),
      );
    moments[exit.signal === null ? "after it finished" : changes.length === 0 ? "before any change" : "mid-apply"]++;

    const rerun = await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    expect([where, rerun.code, rerun.code === 0 ? "" : rerun.err + rerun.out]).toEqual([where, 0, ""]);
    const plan = await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"]);
    expect([where, plan.code]).toEqual([where, 0]);
    const ids = cli.emu
      .endpoints()
      .map((e) => e.inference_id)
      .filter((id) => !id.startsWith("."));
    expect([where, ids]).toEqual([where, ["grow", "keep", "new-1", "new-2", "new-3", "someone-elses", "tune"]]);
    // Nothing unowned was touched, and the stack owns exactly what it declares.
    expect([where, JSON.stringify(cli.emu.endpoints().find((e) => e.inference_id === "someone-elses"))]).toEqual([
      where,
      outsider,
    ]);
    const owned = await cli.run(["state", "list", "-f", "m.json", "--json"]);
    const entries = (JSON.parse(owned.out) as { endpoints: { inference_id: string; status: string }[] }).endpoints;
    expect([where, entries.map((e) => `${e.inference_id} ${e.status}`)]).toEqual([
      where,
      ["grow", "keep", "new-1", "new-2", "new-3", "tune"].map((id) => `${id} applied`),
    ]);
    converged++;
  }
  reportFigure(
    `crash trials: ${converged} of ${TRIALS} converged after SIGKILL (killed ${Object.entries(moments)
      .map(([k, n]) => `${k}: ${n}`)
      .join(", ")})`,
  );
  // The moments must cover the apply itself, not only its start-up.
  expect(moments["mid-apply"]).toBeGreaterThanOrEqual(5);
});
