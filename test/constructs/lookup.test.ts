/**
 * The drift lookup made when the app synthesizes: each endpoint record's `last_drift` stays what the stack's state
 * recorded at the last apply while the endpoint is as applied (so re-planning after an apply shows no changes), and
 * becomes a new value, saying what drifted, when a setting was changed outside Terraform, the endpoint deleted, or a
 * secret rotated; the runner's apply repairs it and records the value. Offline, or with the lookup turned off, the
 * markers of the previous synthesis are kept. A lookup changes nothing, and writes no secret anywhere.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../lib/cli/main";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { captureIo } from "../helpers/io";
import { tempDir } from "../helpers/stack";
import { esinferResources, hookCommand, synthApp, type Synthesized } from "../helpers/synth";
import { ensureBuilt } from "../helpers/terraform";
import type { AppShape } from "../terraform/app";

jest.setTimeout(180_000);

const KEY = "sk-CANARY-lookup-7d1e-first-key";
const ROTATED = "sk-CANARY-lookup-7d1e-rotated-key";

let emu: Emulator;
beforeAll(async () => {
  ensureBuilt(); // the lookup runs the compiled CLI
  emu = await startEmulator();
}, 120_000);
afterAll(() => emu.stop());

describe("a stack applied through its runner, then changed outside Terraform", () => {
  const project = tempDir("esinfer-lookup-");
  let key = KEY;
  // The app of test/terraform/app.ts without embeddings: ELSER (no secret) and Cohere rerank (key OPENAI_API_KEY).
  const synth = (shape: Partial<AppShape> = {}, env: Record<string, string> = {}) =>
    synthApp(
      project,
      { url: emu.url, withRerank: true, ...shape, withEmbeddings: false },
      {
        OPENAI_API_KEY: key,
        ...env,
      },
    );
  const drift = (out: Synthesized) =>
    Object.fromEntries(
      esinferResources(out.json)
        .filter((r) => r.kind === "endpoint")
        .map((r) => [r.values.inference_id, r.values.last_drift]),
    );
  const digest = (out: Synthesized) => esinferResources(out.json).find((r) => r.kind === "apply")!.values.digest;
  /** The runner's hook, as Terraform runs it after planning `out`. */
  async function apply(out: Synthesized): Promise<void> {
    const runner = esinferResources(out.json).find((r) => r.kind === "apply")!;
    const { environment } = hookCommand(runner, "create");
    const io = captureIo({ cwd: join(out.outdir, "stacks", "search"), env: { OPENAI_API_KEY: key, ...environment } });
    const code = await main(["tf", "apply"], io);
    if (code !== 0) throw new Error(`the runner failed: ${io.err()}`);
  }
  const outOfBand = async (id: string, body: unknown, taskType = "rerank") => {
    const r = await fetch(`${emu.url}/_inference/${taskType}/${id}/_update`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(r.status).toBe(200);
  };
  const texts: string[] = [];
  let applied: Synthesized;

  test("before anything is applied, and right after, every endpoint is in sync: last_drift none, the same digest", async () => {
    const first = await synth();
    texts.push(first.text);
    expect(drift(first)).toEqual({ "e2e-rerank": "none", "e2e-elser": "none" });
    await apply(first);
    applied = await synth();
    texts.push(applied.text);
    expect(drift(applied)).toEqual({ "e2e-rerank": "none", "e2e-elser": "none" });
    expect(digest(applied)).toBe(digest(first));
  });

  test("a setting changed outside Terraform gives that endpoint a new last_drift saying so; stable until applied", async () => {
    emu.requests.clear();
    await outOfBand("e2e-rerank", { task_settings: { top_n: 3 } });
    const seen = await synth();
    texts.push(seen.text);
    expect(drift(seen)).toEqual({
      "e2e-rerank": expect.stringMatching(/^drift [0-9a-f]{12}: task_settings\.top_n changed outside Terraform$/),
      "e2e-elser": "none",
    });
    expect(digest(seen)).not.toBe(digest(applied));
    expect(drift(await synth())).toEqual(drift(seen)); // the same observation, the same marker

    await apply(seen);
    expect(emu.endpoints().find((e) => e.inference_id === "e2e-rerank")!.task_settings).toEqual({ top_n: 10 });
    const after = await synth();
    expect(drift(after)).toEqual(drift(seen)); // in sync again: what Terraform recorded, so no change
    expect(digest(after)).toBe(digest(seen));
    applied = after;
  });

  test("the same change again is seen again (a new value, not the recorded one)", async () => {
    const before = drift(applied)["e2e-rerank"];
    await outOfBand("e2e-rerank", { task_settings: { top_n: 3 } });
    const seen = await synth();
    expect(drift(seen)["e2e-rerank"]).toMatch(/^drift [0-9a-f]{12}: task_settings\.top_n changed outside Terraform$/);
    expect(drift(seen)["e2e-rerank"]).not.toBe(before);
    await apply(seen);
    applied = await synth();
    expect(drift(applied)).toEqual(drift(seen));
  });

  test("a rotated secret is seen (by fingerprint: neither value is written anywhere)", async () => {
    key = ROTATED;
    const seen = await synth();
    texts.push(seen.text);
    expect(drift(seen)["e2e-rerank"]).toMatch(/^drift [0-9a-f]{12}: service_settings\.api_key rotated$/);
    expect(drift(seen)["e2e-elser"]).toBe("none");
    emu.requests.clear();
    await apply(seen);
    expect(emu.requests.list({ method: "PUT" }).map((r) => r.path)).toEqual(["/_inference/rerank/e2e-rerank/_update"]);
    applied = await synth();
    expect(drift(applied)).toEqual(drift(seen));
  });

  test("an endpoint deleted outside Terraform is seen, and re-created by the apply", async () => {
    await fetch(`${emu.url}/_inference/e2e-elser`, { method: "DELETE" });
    const seen = await synth();
    expect(drift(seen)["e2e-elser"]).toMatch(/^drift [0-9a-f]{12}: deleted outside Terraform$/);
    await apply(seen);
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-elser", "e2e-rerank"]);
    applied = await synth();
    expect(drift(applied)).toEqual(drift(seen));
  });

  test("when the declaration changes, Terraform shows that change: last_drift stays as recorded", async () => {
    const recorded = drift(applied);
    await outOfBand("e2e-rerank", { task_settings: { top_n: 4 } });
    const changed = await synth({ topN: 7 });
    expect(drift(changed)).toEqual(recorded);
    await apply(changed);
    expect(emu.endpoints().find((e) => e.inference_id === "e2e-rerank")!.task_settings).toEqual({ top_n: 7 });
    applied = await synth({ topN: 7 });
    expect(drift(applied)).toEqual(recorded);
  });

  test("offline, or with the lookup turned off, the markers of the previous synthesis are kept, with a warning when it failed", async () => {
    await outOfBand("e2e-rerank", { task_settings: { top_n: 2 } });
    emu.requests.clear();
    const off = await synth({ topN: 7, lookup: false });
    expect(drift(off)).toEqual(drift(applied));
    const offByEnv = await synth({ topN: 7 }, { ESINFER_LOOKUP: "off" });
    expect(drift(offByEnv)).toEqual(drift(applied));
    expect(emu.requests.length).toBe(0); // no lookup was made
    expect(off.stderr + offByEnv.stderr).toBe("");

    const unreachable = await synth({ topN: 7, url: "http://127.0.0.1:9" });
    expect(drift(unreachable)).toEqual(drift(applied));
    expect(unreachable.stderr).toMatch(
      /^Warning: esinfer stack search: could not look the endpoints up in the cluster \(.*connect.*\); terraform plan will not show endpoints changed outside Terraform or rotated secrets\. Set ESINFER_LOOKUP=0 \(or lookup: false on the ElasticsearchCluster\) to synthesize offline without this warning\.\n$/,
    );
  });

  test("a lookup changes nothing (reads only, no lock, no state written), and no secret is synthesized", async () => {
    const stateDir = join(project, ".esinfer", "state");
    const stateBefore = readdirSync(stateDir).map((f) => readFileSync(join(stateDir, f), "utf8"));
    emu.requests.clear();
    await synth({ topN: 7 });
    expect(emu.requests.length).toBeGreaterThan(0);
    expect(emu.requests.list().filter((r) => r.method !== "GET" && !r.path.endsWith("/_mget"))).toEqual([]);
    expect(readdirSync(stateDir).map((f) => readFileSync(join(stateDir, f), "utf8"))).toEqual(stateBefore);
    for (const text of texts) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(ROTATED);
    }
  });
});
