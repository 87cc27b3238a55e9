/**
 * `esinfer demo` (npm run demo): the quickstart end to end, on an embedded emulator by default, or on the cluster
 * the environment names.
 */
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../lib/cli/main";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { captureIo } from "../helpers/io";

const CANARY = "sk-CANARY-demo-5a1f-never-printed";

test("without a cluster: emulator, synthesize, plan, apply, no changes, an in-place update, where each endpoint stands", async () => {
  const io = captureIo({ env: { OPENAI_API_KEY: CANARY, PATH: process.env.PATH } });
  const code = await main(["demo"], io);
  const out = io.out();
  expect({ code, err: io.err() }).toEqual({ code: 0, err: "" });
  const steps = [...out.matchAll(/^(\d)\. /gm)].map((m) => m[1]);
  expect(steps).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
  expect(out).toContain("Cluster: none configured, so the esinfer emulator at http://127.0.0.1:");
  // How many Terraform resources an endpoint takes is the constructs' design; the demo reports what it read.
  expect(out).toMatch(/^ {3}Stack quickstart: 3 endpoints, \d+ Terraform resources in \/\S+\/cdk\.tf\.json$/m);
  expect(out).toContain("Plan: 3 to create, 0 to update in place, 0 to replace, 0 to delete; 0 unchanged.");
  expect(out).toContain("No changes. The cluster matches the declarations (3 endpoints).");
  expect(out).toContain("~ task_settings.top_n = 10 -> 5");
  expect(out).toContain(
    "Sent to the cluster: PUT /_inference/rerank/quickstart-cohere-rerank/_update (no DELETE: updated in place)",
  );
  expect(out.match(/in the cluster {2}in sync/g)).toHaveLength(3);
  expect(out).not.toContain(CANARY);
  // Synthesized in a temporary project, removed afterwards: nothing written into the package.
  const project = /Terraform resources in (.*)\/cdktf\.out\/stacks\/quickstart\/cdk\.tf\.json$/m.exec(out)?.[1];
  expect(project?.startsWith(join(tmpdir(), "esinfer-demo-"))).toBe(true);
  expect(existsSync(project!)).toBe(false);
});

describe("with ELASTICSEARCH_URL set", () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ esVersion: "9.1.3" });
  });
  afterAll(() => emu.stop());

  test("the same steps against that cluster, which keeps the endpoints", async () => {
    const env = { ELASTICSEARCH_URL: emu.url, OPENAI_API_KEY: CANARY, COHERE_API_KEY: CANARY, PATH: process.env.PATH };
    const io = captureIo({ env });
    expect(await main(["demo"], io)).toBe(0);
    expect(io.out()).toContain(`1. Cluster: ${emu.url} (from the environment)`);
    expect(io.out()).toContain("Stack quickstart on Elasticsearch 9.1.3");
    expect(emu.endpoints().map((e) => [e.inference_id, e.task_settings])).toEqual([
      ["quickstart-cohere-rerank", { top_n: 5, return_documents: true }],
      ["quickstart-elser", undefined],
      ["quickstart-openai-embeddings", { user: "quickstart" }],
    ]);
    expect(io.out() + io.err() + JSON.stringify(emu.requests.list())).not.toContain(CANARY);

    // The project it synthesized stays, and the command it prints removes what it created.
    const hint = /remove them with: cd '([^']+)' && '[^']+' '([^']+)' destroy$/m.exec(io.out());
    expect(hint?.[2]).toBe(join(__dirname, "..", "..", "bin", "esinfer.js"));
    const project = hint![1]!;
    try {
      const destroy = captureIo({ env, cwd: project });
      expect(await main(["destroy", "--auto-approve"], destroy)).toBe(0);
      expect(emu.endpoints()).toEqual([]);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  test("refuses to start without the provider keys a real cluster would call", async () => {
    const io = captureIo({ env: { ELASTICSEARCH_URL: emu.url } });
    expect(await main(["demo"], io)).toBe(1);
    expect(io.err()).toContain(
      "against a real cluster the quickstart's endpoints need their provider keys: set OPENAI_API_KEY and COHERE_API_KEY",
    );
  });
});
