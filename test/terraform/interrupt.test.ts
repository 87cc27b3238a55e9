/**
 * Interrupted `terraform apply` runs, for real (skipped, and said so, without a terraform binary): Ctrl-C (SIGINT to
 * Terraform's process group), SIGKILL of Terraform, and Terraform's output pipe closed (`terraform apply | head`),
 * each as the runner's hook starts and in the middle of its apply (the emulator slowed down so that there is a
 * middle). Then: no esinfer process is left running, no record in Terraform's state claims an endpoint that is not
 * in the cluster, and the next `terraform apply` converges (every endpoint as declared, `esinfer plan` and
 * `terraform plan` without changes).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../../lib";
import { main } from "../../lib/cli/main";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { captureIo } from "../helpers/io";
import { tempDir } from "../helpers/stack";
import { synthApp } from "../helpers/synth";
import {
  TERRAFORM,
  changed,
  ensureBuilt,
  isRunning,
  nodeCounter,
  recordsInState,
  terraformOk,
  terraformPlan,
  describeWithTerraform,
  terraformVersion,
} from "../helpers/terraform";

const withTerraform = describeWithTerraform("test/terraform/interrupt.test.ts");
jest.setTimeout(300_000);

/** Endpoints of the stack besides the three of the app: enough for an apply with a middle. */
const BULK = 40;
const KEY = "sk-interrupt-test-key";

type Interruption = "SIGINT" | "SIGKILL" | "closed pipe";
type Moment = "as the hook starts" | "mid-apply";

let emu: Emulator;
beforeAll(async () => {
  if (!terraformVersion()) return;
  ensureBuilt();
  emu = await startEmulator();
}, 120_000);
afterAll(() => emu?.stop());

/** Polls `check` until it holds (bounded: the test fails rather than hangs). */
async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

withTerraform.each<[Interruption, Moment]>([
  ["SIGINT", "as the hook starts"],
  ["SIGINT", "mid-apply"],
  ["SIGKILL", "as the hook starts"],
  ["SIGKILL", "mid-apply"],
  ["closed pipe", "as the hook starts"],
  ["closed pipe", "mid-apply"],
])("terraform apply interrupted by %s %s", (interruption, moment) => {
  const project = tempDir("esinfer-interrupt-");
  const stackDir = join(project, "cdktf.out", "stacks", "search");
  const counter = nodeCounter(project);
  // A stale lock of a killed hook must not make the re-run wait long (the engine takes over a dead holder's).
  const env = () => ({ OPENAI_API_KEY: KEY, ESINFER_LOCK_TIMEOUT: "30s", ...counter.env() });
  const synth = () => synthApp(project, { url: emu.url, bulk: BULK }, { OPENAI_API_KEY: KEY });

  test("the run stops, leaving no esinfer process and no record of an endpoint that was not made", async () => {
    emu.reset();
    writeFileSync(join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app: "true" }));
    await synth();
    await terraformOk(stackDir, ["init"], env());
    emu.faults.latency({ ms: 300, method: "PUT" }); // 43 creates, 8 at a time: about 2 s of apply
    counter.clear();

    const tf = spawn(TERRAFORM, [`-chdir=${stackDir}`, "apply", "-auto-approve", "-no-color"], {
      env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", ...env() },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, as a shell gives a foreground job: Ctrl-C reaches the group
    });
    let output = "";
    const collect = (d: Buffer) => (output += d.toString("utf8"));
    tf.stdout!.on("data", collect);
    tf.stderr!.on("data", collect);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      tf.on("exit", (code, signal) => resolve({ code, signal })),
    );

    await until("the runner's hook to start", () => counter.starts().length > 0);
    if (moment === "mid-apply")
      await until("the apply to be under way", () => emu.requests.list({ method: "PUT" }).length >= 12);
    interrupt(tf, interruption);
    const { code, signal } = await exited;
    expect(code === 0 && signal === null).toBe(false); // the run did not complete
    const hooks = counter.starts().map(([pid]) => pid);
    expect(hooks.length).toBe(1);
    if (interruption === "SIGINT")
      // Terraform stops its provisioners before it exits.
      expect(hooks.filter(isRunning)).toEqual([]);
    // Killed or cut off, Terraform leaves its hook behind: the hook notices (its parent is gone, its output closed)
    // and stops within the grace for requests in flight.
    else await until("the orphaned hook to stop", () => hooks.every((pid) => !isRunning(pid)), 30_000);

    const records = await recordsInState(stackDir, env());
    const live = emu.endpoints().map((e) => e.inference_id);
    expect(live).toEqual(expect.arrayContaining(records));
    if (moment === "mid-apply") expect(live.length).toBeLessThan(BULK + 3); // stopped before the end: work is left
    if (interruption !== "SIGINT") {
      // A graceful stop: what was created is recorded as the stack's, and the lock released.
      const stateFile = join(project, ".esinfer", "state", "search.json");
      // Stopped before it wrote anything, the hook leaves no state at all.
      const state = (existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")) : { endpoints: {} }) as {
        endpoints: Record<string, { status: string }>;
      };
      const applied = Object.keys(state.endpoints).filter((id) => state.endpoints[id]!.status === "applied");
      expect(applied.sort()).toEqual(live);
      expect(existsSync(join(project, ".esinfer", "state", "search.json.lock"))).toBe(false);
    }
    expect(output).not.toContain(KEY);
  });

  test("the next terraform apply converges", async () => {
    emu.faults.clear();
    await synth();
    const plan = await terraformPlan(stackDir, env());
    // The interrupted runner (tainted, or never recorded) runs again.
    expect(changed(plan).filter((c) => c.startsWith("apply: "))).toEqual([expect.stringMatching(/create/)]);
    counter.clear();
    await terraformOk(stackDir, ["apply", "-auto-approve", "tfplan"], env());
    expect(counter.starts().length).toBe(1);

    const bulk = Array.from({ length: BULK }, (_, i) => `bulk-${String(i).padStart(5, "0")}`);
    const ids = [...bulk, "e2e-elser", "e2e-embeddings", "e2e-rerank"];
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(ids);
    expect(await recordsInState(stackDir, env())).toEqual(ids);
    const io = captureIo({ cwd: project, env: { OPENAI_API_KEY: KEY } });
    expect(await main(["plan", "--no-synth", "--json"], io)).toBe(0);
    expect((JSON.parse(io.out()) as Plan).endpoints.filter((e) => e.action !== "no-op")).toEqual([]);
    await synth();
    expect(changed(await terraformPlan(stackDir, env()))).toEqual([]);
  });
});

function interrupt(tf: ChildProcess, how: Interruption): void {
  switch (how) {
    case "SIGINT":
      process.kill(-tf.pid!, "SIGINT"); // Ctrl-C: the whole foreground process group
      return;
    case "SIGKILL":
      tf.kill("SIGKILL"); // Terraform alone
      return;
    case "closed pipe":
      // `terraform apply | head`: the reader goes away; Terraform dies at its next write (SIGPIPE).
      tf.stdout!.destroy();
      tf.stderr!.destroy();
      return;
  }
}
