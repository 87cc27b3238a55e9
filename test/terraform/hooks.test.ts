/**
 * The `esinfer tf <hook>` commands, run in-process exactly as Terraform runs them: from the stack directory, with
 * the environment the synthesized provisioners give them (`${self...}` resolved from the resource's own values),
 * against the emulator. The runner applies the whole stack from the synthesized file; the anchor's destroy-time
 * hook deletes what the stack owns.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../lib/cli/main";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { captureIo } from "../helpers/io";
import { esinferResources, hookCommand, synthStack, type Synthesized } from "../helpers/synth";
import { tempDir } from "../helpers/stack";
import { inferenceWrites } from "../helpers/terraform";
import { searchStack, type AppShape } from "./app";

const CANARY = "sk-CANARY-hooks-91e0-never-printed";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

type ResourceType = "terraform_data" | "null_resource";

/** The stack's state file (the default file backend), parsed. */
function esinferState(projectDir: string): { endpoints: Record<string, { marker?: string; status: string }> } {
  const dir = join(projectDir, ".esinfer", "state");
  const file = readdirSync(dir).find((f) => f.endsWith(".json"))!;
  return JSON.parse(readFileSync(join(dir, file), "utf8"));
}

async function pipelineUsing(id: string): Promise<void> {
  const response = await fetch(`${emu.url}/_ingest/pipeline/embed-${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      processors: [{ inference: { model_id: id, input_output: { input_field: "t", output_field: "v" } } }],
    }),
  });
  expect(response.status).toBe(200);
}

describe.each<ResourceType>(["terraform_data", "null_resource"])("hooks of %s resources", (resourceType) => {
  const app = (projectDir: string, shape: Omit<AppShape, "url" | "resourceType"> = {}): Synthesized =>
    synthStack((stack) => searchStack(stack, { url: emu.url, resourceType, withElser: false, ...shape }), {
      projectDir,
    });

  /** Runs the hook of one of the stack's resources as Terraform would, from the stack directory. */
  async function runHook(
    out: Synthesized,
    kind: "apply" | "cluster",
    extraEnv: Record<string, string> = {},
  ): Promise<{ code: number; out: string; err: string }> {
    const resource = esinferResources(out.json, resourceType).find((r) => r.kind === kind)!;
    const { command, environment } = hookCommand(resource, kind === "cluster" ? "destroy" : "create");
    const io = captureIo({
      cwd: join(out.outdir, "stacks", "search"),
      env: { OPENAI_API_KEY: CANARY, ...environment, ...extraEnv },
    });
    const code = await main(["tf", command], io);
    return { code, out: io.out(), err: io.err() };
  }
  const runner = (out: Synthesized, env?: Record<string, string>) => runHook(out, "apply", env);
  const writes = () => inferenceWrites(emu);

  test("the runner creates every endpoint, then has nothing to do, then updates in place, then replaces when it must", async () => {
    const dir = tempDir("esinfer-hooks-");
    const v1 = app(dir);
    const created = await runner(v1);
    expect(created).toMatchObject({ code: 0, err: "" });
    expect(created.out).toContain("esinfer: applying stack search (2 endpoints declared)");
    expect(created.out).toContain(
      "esinfer: stack search: 2 to create, 0 to update in place, 0 to replace, 0 to delete",
    );
    expect(created.out).toMatch(/\+ e2e-rerank: created \(\d+ ms\)/);
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-embeddings", "e2e-rerank"]);
    expect((await runner(v1)).out).toContain("esinfer: stack search: no changes");

    emu.requests.clear();
    const update = await runner(app(dir, { topN: 3 }));
    expect(update.code).toBe(0);
    expect(update.out).toMatch(/~ e2e-rerank: updated in place/);
    expect(writes()).toEqual(["PUT /_inference/rerank/e2e-rerank/_update"]);
    expect(emu.endpoints().find((e) => e.inference_id === "e2e-rerank")!.task_settings).toEqual({ top_n: 3 });

    emu.requests.clear();
    const replace = await runner(app(dir, { topN: 3, embeddingModel: "text-embedding-3-large" }));
    expect(replace.code).toBe(0);
    expect(replace.out).toMatch(/-\/\+ e2e-embeddings: replaced/);
    expect(writes()).toEqual(["DELETE /_inference/e2e-embeddings", "PUT /_inference/text_embedding/e2e-embeddings"]);
    for (const r of [created, update, replace]) expect(r.out + r.err).not.toContain(CANARY);
  });

  test("the runner records each endpoint's last_drift from the synthesized file in the stack's state", async () => {
    const dir = tempDir("esinfer-hooks-");
    await runner(app(dir));
    expect(esinferState(dir).endpoints).toEqual({
      "e2e-embeddings": expect.objectContaining({ status: "applied", marker: "none" }),
      "e2e-rerank": expect.objectContaining({ status: "applied", marker: "none" }),
    });
  });

  test("one apply sends one create timeout: the longest an endpoint asks for", async () => {
    const out = app(tempDir("esinfer-hooks-"), { embeddingsTimeout: "90s" });
    expect((await runner(out)).code).toBe(0);
    expect(emu.requests.list({ method: "PUT" }).map((r) => [r.path, r.query])).toEqual(
      expect.arrayContaining([
        ["/_inference/text_embedding/e2e-embeddings", { timeout: "90s" }],
        ["/_inference/rerank/e2e-rerank", { timeout: "90s" }],
      ]),
    );
  });

  test("an endpoint removed from the app, and tombstones, are deleted; endpoints of no one are left alone", async () => {
    const dir = tempDir("esinfer-hooks-");
    await runner(app(dir));
    emu.createEndpoint("foreign", { service: "cohere", service_settings: { model_id: "m", api_key: "k" } }, "rerank");
    emu.createEndpoint("legacy", { service: "cohere", service_settings: { model_id: "m", api_key: "k" } }, "rerank");
    const pruned = await runner(app(dir, { withRerank: false, absent: ["legacy"] }));
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain("0 to create, 0 to update in place, 0 to replace, 2 to delete; 1 unchanged");
    expect(pruned.out).toMatch(/- legacy: deleted/);
    expect(pruned.out).toMatch(/- e2e-rerank: deleted/);
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-embeddings", "foreign"]);
  });

  test("the runner applies nothing from a synthesized file that changed since Terraform planned", async () => {
    const dir = tempDir("esinfer-hooks-");
    const planned = app(dir);
    const resynthesized = app(dir, { topN: 3 }); // the same directory: what Terraform would now read
    const runnerResource = esinferResources(planned.json, resourceType).find((r) => r.kind === "apply")!;
    const { environment } = hookCommand(runnerResource, "create");
    const io = captureIo({ cwd: join(resynthesized.outdir, "stacks", "search"), env: environment });
    expect(await main(["tf", "apply"], io)).toBe(1);
    expect(io.err()).toContain(
      "stack search: " +
        join(resynthesized.outdir, "stacks", "search", "cdk.tf.json") +
        " changed since Terraform planned this apply",
    );
    expect(io.err()).toContain("nothing was applied. Synthesize, then plan and apply again.");
    expect(emu.requests.list({ method: "PUT" })).toEqual([]);
  });

  test("a failed endpoint fails the hook, naming it, after the others are applied; the next run retries it", async () => {
    const dir = tempDir("esinfer-hooks-");
    const out = app(dir);
    emu.faults.error({ status: 400, method: "PUT", path: "/_inference/rerank/e2e-rerank" });
    const failed = await runner(out);
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(/esinfer: e2e-rerank \(create\) failed: /);
    expect(failed.err).toContain(
      "esinfer: stack search: 1 of 2 endpoints failed (e2e-rerank); the next terraform apply retries them",
    );
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-embeddings"]);
    emu.faults.clear();
    emu.requests.clear();
    expect((await runner(out)).code).toBe(0);
    expect(writes()).toEqual(["PUT /_inference/rerank/e2e-rerank"]);
  });

  test("an endpoint in use is refused in Terraform's terms, changing nothing; allowInUse or ESINFER_ALLOW_IN_USE allow it", async () => {
    const dir = tempDir("esinfer-hooks-");
    await runner(app(dir));
    await pipelineUsing("e2e-embeddings");
    const large = { embeddingModel: "text-embedding-3-large" };
    emu.requests.clear();
    const refused = await runner(app(dir, large));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      "stack search: refusing to replace e2e-embeddings (used by pipelines [embed-e2e-embeddings]; to allow it, set allowInUse: true on its " +
        "InferenceEndpoint (or on the ElasticsearchCluster)): deleting an endpoint breaks what uses it, so nothing was " +
        "changed. Set allowInUse and apply again (force=true is then sent), or allow it for one run: " +
        "ESINFER_ALLOW_IN_USE=1 terraform apply.",
    );
    expect(refused.err).not.toContain("--allow-in-use");
    expect(writes()).toEqual([]);

    const forced = await runner(app(dir, large), { ESINFER_ALLOW_IN_USE: "1" });
    expect(forced.code).toBe(0);
    expect(forced.out).toContain(
      "! e2e-embeddings: used by pipelines [embed-e2e-embeddings]: sending force=true (allowInUse)",
    );
    expect(emu.requests.list({ method: "DELETE" }).map((r) => r.query)).toContainEqual({ force: "true" });

    // The endpoint's own allowInUse, back to the small model.
    expect((await runner(app(dir, { embeddingsAllowInUse: true }))).code).toBe(0);
    expect(emu.endpoints().find((e) => e.inference_id === "e2e-embeddings")!.service_settings.model_id).toBe(
      "text-embedding-3-small",
    );
  });

  test("destroy deletes what the stack owns, with the same guard, and nothing else", async () => {
    const dir = tempDir("esinfer-hooks-");
    const out = app(dir);
    await runner(out);
    emu.createEndpoint("foreign", { service: "cohere", service_settings: { model_id: "m", api_key: "k" } }, "rerank");
    await pipelineUsing("e2e-embeddings");
    const refused = await runHook(out, "cluster");
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      "refusing to delete e2e-embeddings (used by pipelines [embed-e2e-embeddings]; to allow it, set allowInUse: true on the ElasticsearchCluster)",
    );
    expect(refused.err).toContain("or allow it for one run: ESINFER_ALLOW_IN_USE=1 terraform destroy");
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-embeddings", "e2e-rerank", "foreign"]);

    const destroyed = await runHook(out, "cluster", { ESINFER_ALLOW_IN_USE: "true" });
    expect(destroyed.code).toBe(0);
    expect(destroyed.out).toContain("esinfer: deleting every endpoint stack search owns");
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["foreign"]);
    expect(esinferState(dir).endpoints).toEqual({});
    // Already gone: harmless to repeat.
    expect((await runHook(out, "cluster")).out).toContain("esinfer: stack search: no changes");
  });

  test("an endpoint that exists but is not the stack's is not taken over", async () => {
    emu.createEndpoint(
      "e2e-rerank",
      { service: "cohere", service_settings: { model_id: "m", api_key: "k" } },
      "rerank",
    );
    const r = await runner(app(tempDir("esinfer-hooks-")));
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "e2e-rerank: inference_id: already exists in the cluster (cohere rerank) and is not managed by",
    );
    expect(emu.endpoints().find((e) => e.inference_id === "e2e-rerank")!.service_settings.model_id).toBe("m");
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-rerank"]);
  });
});

test("run by hand, a hook says what it needs", async () => {
  const io = captureIo();
  expect(await main(["tf", "apply"], io)).toBe(1);
  expect(io.err()).toContain(
    "esinfer tf apply: ESINFER_STACK is not set; this command is run by the Terraform resources esinfer synthesizes",
  );
  const bad = captureIo({
    env: { ESINFER_STACK: "s", ESINFER_CLUSTER: "{not json", ESINFER_TF_ALLOW_IN_USE: "false" },
  });
  expect(await main(["tf", "destroy"], bad)).toBe(1);
  expect(bad.err()).toContain("esinfer tf destroy: ESINFER_CLUSTER is not valid JSON");
  const elsewhere = captureIo({ cwd: tempDir("esinfer-hooks-"), env: { ESINFER_STACK: "s" } });
  expect(await main(["tf", "apply"], elsewhere)).toBe(1);
  expect(elsewhere.err()).toContain("cdk.tf.json): no such file; synthesize the app first");
  const unknown = captureIo();
  expect(await main(["tf", "reconcile"], unknown)).toBe(1);
  expect(unknown.err()).toContain(
    "esinfer tf reconcile: unknown hook (the synthesized stack runs apply, destroy, lookup)",
  );
  const lookup = captureIo({ stdin: "{not json" });
  expect(await main(["tf", "lookup"], lookup)).toBe(1);
  expect(lookup.err()).toContain("esinfer tf lookup: the request on stdin is not JSON");
});
