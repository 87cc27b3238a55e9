/**
 * Interruptions of the real CLI (a child process) against an emulator with latency: SIGINT and SIGTERM mid-apply
 * stop starting work, let requests in flight finish, record the state, release the lock (file and cluster
 * backends), say what was done and what was not, and exit 130 / 143; a second Ctrl-C abandons the requests in
 * flight at once; a re-run converges.
 *
 * With ESINFER_REPORT_TIMINGS=1 the time from the signal to the exit is printed (no test asserts on it).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CANARY, ENV, embeddings, useCli } from "./harness";
import { spawnCli } from "../helpers/spawn-cli";
import { reportFigure } from "../helpers/report";

jest.setTimeout(120_000);

// Every request takes this long, so an apply of a dozen endpoints at parallelism 2 is still running when the
// signal arrives.
const cli = useCli({ latencyMs: 150 });

const IDS = Array.from({ length: 12 }, (_, i) => `e${String(i + 1).padStart(2, "0")}`);
const declarations = () => IDS.map((id) => ({ ...embeddings(), inference_id: id }));

function report(what: string, ms: number): void {
  reportFigure(`timing: ${what}: ${Math.round(ms)} ms`);
}

/** Starts `esinfer apply` and sends `signals` once the first endpoint was created; returns how it ended. */
async function interruptedApply(signals: NodeJS.Signals[], extraArgs: string[] = [], backend = "file") {
  const run = spawnCli(["apply", "-f", "m.json", "--auto-approve", "--parallelism", "2", ...extraArgs], {
    cwd: cli.dir(),
    env: ENV,
  });
  await run.waitFor(/: created \(/);
  const sent = performance.now();
  for (const [i, signal] of signals.entries()) {
    // The next signal once this one was handled (two signals in one instant arrive as one).
    if (i > 0) await run.waitFor(/starting nothing new/);
    run.child.kill(signal);
  }
  const exit = await run.exited;
  report(`${signals.join("+")} to exit (${backend} state)`, performance.now() - sent);
  expect(run.out() + run.err()).not.toContain(CANARY);
  return { ...exit, out: run.out(), err: run.err() };
}

const stateOf = () =>
  JSON.parse(readFileSync(join(cli.dir(), ".esinfer", "state", "test.json"), "utf8")) as {
    endpoints: Record<string, { status: string }>;
  };

/** Applies again and checks the stack converged: every declared endpoint exists once, as declared. */
async function convergesOnRerun(): Promise<void> {
  const again = await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
  expect(again.code).toBe(0);
  const plan = await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"]);
  expect(plan.code).toBe(0);
  expect(
    cli.emu
      .endpoints()
      .map((e) => e.inference_id)
      .filter((id) => !id.startsWith(".")),
  ).toEqual(IDS);
}

describe.each([
  ["file", {}],
  ["cluster", { state: { backend: "cluster" } }],
])("state in a %s", (backend, extra) => {
  const lockHeld = async () =>
    backend === "file"
      ? existsSync(join(cli.dir(), ".esinfer", "state", "test.json.lock"))
      : (await fetch(`${cli.emu.url}/esinfer-state/_doc/lock%3Atest`)).status === 200;

  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s mid-apply: in-flight requests finish, the state records them, the lock is released, exit %i",
    async (signal, code) => {
      cli.manifest(declarations(), extra);
      const run = await interruptedApply([signal], [], backend);
      expect(run.signal).toBeNull(); // exited by itself, not killed
      expect(run.code).toBe(code);
      expect(run.err).toContain(
        signal === "SIGINT"
          ? "Interrupted (Ctrl-C): starting nothing new; waiting up to 5 s for the requests in flight, then recording what was done and releasing the lock. Press Ctrl-C again to stop at once."
          : "Terminated (SIGTERM): starting nothing new;",
      );
      expect(run.err).toMatch(
        /Apply interrupted \(\d+ created, 0 updated in place, 0 replaced, 0 deleted; 0 failed; \d+ not started\)/,
      );
      expect(run.err).toContain("the lock is released");
      expect(run.err).toMatch(/not started: e\d\d \(create\)/);
      expect(run.err).toContain("Run esinfer apply again to finish: it converges.");
      expect(await lockHeld()).toBe(false);
      // What was created is recorded as applied; nothing the cluster holds is unrecorded.
      const created = cli.emu
        .endpoints()
        .map((e) => e.inference_id)
        .filter((id) => !id.startsWith("."));
      expect(created.length).toBeGreaterThan(0);
      expect(created.length).toBeLessThan(IDS.length);
      if (backend === "file") {
        const owned = stateOf().endpoints;
        for (const id of created) expect([id, owned[id]?.status]).toEqual([id, "applied"]);
      }
      await convergesOnRerun();
    },
  );

  test("a second Ctrl-C abandons the requests in flight at once; the lock is still released", async () => {
    cli.manifest(declarations(), extra);
    const run = await interruptedApply(["SIGINT", "SIGINT"], [], backend);
    expect(run.code).toBe(130);
    expect(run.err).toContain(
      "Interrupted (Ctrl-C) again: abandoning the requests in flight; releasing the lock where it can.",
    );
    expect(await lockHeld()).toBe(false);
    await convergesOnRerun();
  });
});
