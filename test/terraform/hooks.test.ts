/**
 * The `esinfer tf <hook>` commands, run in-process exactly as Terraform runs them: the environment comes from the
 * synthesized resources' provisioners, with `${self...}` resolved from the resource's own values (what Terraform
 * does), against the emulator.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Construct } from "constructs";
import { ElasticsearchCluster, InferenceEndpoint, secret } from "../../lib";
import { main } from "../../lib/cli/main";
import { unescapeTerraform } from "../../lib/constructs/hook-contract";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { captureIo } from "../helpers/io";
import { esinferResources, synthStack, type Synthesized } from "../helpers/synth";
import { tempDir } from "../helpers/stack";

const CANARY = "sk-CANARY-hooks-91e0-never-printed";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());
beforeEach(() => emu.reset());

type ResourceType = "terraform_data" | "null_resource";

describe.each<ResourceType>(["terraform_data", "null_resource"])("hooks of %s resources", (resourceType) => {
  interface Declared {
    topN?: number;
    model?: string;
    rerank?: boolean;
    allowInUse?: boolean;
    absent?: string[];
  }

  function app(projectDir: string, d: Declared = {}): Synthesized {
    return synthStack(
      (stack: Construct) => {
        const cluster = new ElasticsearchCluster(stack, "cluster", {
          url: emu.url,
          resourceType,
          ...(d.allowInUse ? { allowInUse: true } : {}),
        });
        new InferenceEndpoint(stack, "embeddings", {
          cluster,
          inferenceId: "emb",
          service: "openai",
          taskType: "text_embedding",
          serviceSettings: { modelId: d.model ?? "text-embedding-3-small", apiKey: secret.env("OPENAI_API_KEY") },
          taskSettings: { user: "search" },
        });
        if (d.rerank !== false)
          new InferenceEndpoint(stack, "rerank", {
            cluster,
            inferenceId: "rerank",
            service: "cohere",
            taskType: "rerank",
            serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env("OPENAI_API_KEY") },
            taskSettings: { topN: d.topN ?? 10 },
          });
        if (d.absent) cluster.declareAbsent(...d.absent);
      },
      { projectDir },
    );
  }

  /** Runs the hook of an esinfer resource as Terraform would: its environment resolved from `self`, from the stack directory. */
  async function runHook(
    out: Synthesized,
    kind: string,
    pick: (values: Record<string, string>) => boolean = () => true,
    extraEnv: Record<string, string> = {},
  ) {
    const resource = esinferResources(out.json, resourceType).find((r) => r.kind === kind && pick(r.values));
    if (!resource) throw new Error(`no ${kind} resource`);
    const exec = resource.body.provisioner![0]!["local-exec"];
    const self = {
      triggers_replace: resource.body.triggers_replace!,
      input: resource.body.input!,
      triggers: resource.body.triggers!,
    };
    const environment = Object.fromEntries(
      Object.entries(exec.environment!).map(([name, ref]) => {
        const [, part, key] = /^\$\{self\.(\w+)\.(\w+)\}$/.exec(ref)!;
        return [name, unescapeTerraform(self[part as keyof typeof self][key!]!)];
      }),
    );
    const io = captureIo({
      cwd: join(out.outdir, "stacks", "search"),
      env: { OPENAI_API_KEY: CANARY, ...environment, ...extraEnv },
    });
    const code = await main(["tf", exec.command], io);
    return { code, out: io.out(), err: io.err() };
  }

  const byId = (id: string) => (v: Record<string, string>) =>
    v.inference_id === id || (v.declaration ?? "").includes(`"inference_id":"${id}"`);

  test("reconcile creates, then finds nothing to do, then updates in place, then replaces when it must", async () => {
    const dir = tempDir("esinfer-hooks-");
    const v1 = app(dir);
    const created = await runHook(v1, "endpoint", byId("rerank"));
    expect(created).toMatchObject({ code: 0, err: "" });
    expect(created.out).toContain("+ create rerank (cohere rerank)");
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["rerank"]);
    expect((await runHook(v1, "endpoint", byId("rerank"))).out).toContain("esinfer: rerank: no changes");

    emu.requests.clear();
    const update = await runHook(app(dir, { topN: 3 }), "endpoint", byId("rerank"));
    expect(update.code).toBe(0);
    expect(update.out).toContain("~ task_settings.top_n = 10 -> 3");
    expect(emu.requests.list({ method: "DELETE" })).toEqual([]);
    expect(emu.requests.list({ method: "PUT" }).map((r) => r.path)).toEqual(["/_inference/rerank/rerank/_update"]);

    await runHook(v1, "endpoint", byId("emb"));
    emu.requests.clear();
    const replace = await runHook(app(dir, { model: "text-embedding-3-large" }), "endpoint", byId("emb"));
    expect(replace.out).toContain("-/+ replace emb");
    expect(replace.out).toContain('service_settings.model_id = "text-embedding-3-small" -> "text-embedding-3-large"');
    expect(emu.endpoints().find((e) => e.inference_id === "emb")!.service_settings.model_id).toBe(
      "text-embedding-3-large",
    );
    for (const r of [created, update, replace]) expect(r.out + r.err).not.toContain(CANARY);
  });

  test("delete deletes and forgets; an endpoint in use needs allow_in_use or the operator's ESINFER_ALLOW_IN_USE", async () => {
    const dir = tempDir("esinfer-hooks-");
    const out = app(dir);
    await runHook(out, "endpoint", byId("emb"));
    await fetch(`${emu.url}/_ingest/pipeline/embed`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        processors: [{ inference: { model_id: "emb", input_output: { input_field: "t", output_field: "v" } } }],
      }),
    });
    const refused = await runHook(out, "identity", byId("emb"));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("refusing to delete emb (used by pipelines [embed])");
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["emb"]);

    const forced = await runHook(out, "identity", byId("emb"), { ESINFER_ALLOW_IN_USE: "1" });
    expect(forced.code).toBe(0);
    expect(emu.requests.list({ method: "DELETE" }).map((r) => r.query)).toContainEqual({ force: "true" });
    expect(emu.endpoints()).toEqual([]);
    // Gone from the stack's state too: re-running is harmless.
    const state = JSON.parse(
      readFileSync(
        join(
          dir,
          ".esinfer",
          "state",
          readdirSync(join(dir, ".esinfer", "state")).find((f) => f.endsWith(".json"))!,
        ),
        "utf8",
      ),
    );
    expect(Object.keys(state.endpoints)).toEqual([]);
    expect((await runHook(out, "identity", byId("emb"))).code).toBe(0);

    // allow_in_use from the configuration.
    const allowed = app(dir, { allowInUse: true });
    await runHook(allowed, "endpoint", byId("emb"));
    expect((await runHook(allowed, "identity", byId("emb"))).code).toBe(0);
    expect(emu.endpoints()).toEqual([]);
  });

  test("prune deletes what the stack owns but no longer declares, and what is declared absent; nothing else", async () => {
    const dir = tempDir("esinfer-hooks-");
    const both = app(dir);
    await runHook(both, "endpoint", byId("emb"));
    await runHook(both, "endpoint", byId("rerank"));
    emu.createEndpoint("foreign", { service: "cohere", service_settings: { model_id: "m", api_key: "k" } }, "rerank");
    emu.createEndpoint("legacy", { service: "cohere", service_settings: { model_id: "m", api_key: "k" } }, "rerank");
    expect((await runHook(both, "stack")).out).toContain("no changes");

    // The rerank construct is removed (Terraform forgets it without its destroy hook) and legacy is tombstoned.
    const pruned = await runHook(app(dir, { rerank: false, absent: ["legacy"] }), "stack");
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain("- delete legacy");
    expect(pruned.out).toContain("- delete rerank");
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["emb", "foreign"]);
  });

  test("hooks running at once wait for the stack's state lock and all succeed", async () => {
    const dir = tempDir("esinfer-hooks-");
    const out = app(dir);
    emu.faults.latency({ ms: 50, method: "PUT" });
    const results = await Promise.all([
      runHook(out, "endpoint", byId("emb")),
      runHook(out, "endpoint", byId("rerank")),
      runHook(out, "stack"),
    ]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["emb", "rerank"]);
  });

  test("an endpoint that exists but is not the stack's is not taken over", async () => {
    emu.createEndpoint("rerank", { service: "cohere", service_settings: { model_id: "m", api_key: "k" } }, "rerank");
    const r = await runHook(app(tempDir("esinfer-hooks-")), "endpoint", byId("rerank"));
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      "already exists in the cluster (cohere rerank) and is not managed by stack search; adopt it with `esinfer import rerank`",
    );
    expect(emu.endpoints()[0]!.service_settings.model_id).toBe("m");
  });
});

test("run by hand, a hook says what it needs", async () => {
  const io = captureIo();
  expect(await main(["tf", "reconcile"], io)).toBe(1);
  expect(io.err()).toContain(
    "ESINFER_TF_ALLOW_IN_USE is not set; this command is run by the Terraform resources esinfer synthesizes",
  );
  const bad = captureIo({ env: { ESINFER_TF_ALLOW_IN_USE: "false", ESINFER_DECLARATION: "{not json" } });
  expect(await main(["tf", "reconcile"], bad)).toBe(1);
  expect(bad.err()).toContain("ESINFER_DECLARATION is not valid JSON");
  const unknown = captureIo();
  expect(await main(["tf", "apply"], unknown)).toBe(1);
  expect(unknown.err()).toContain("unknown hook (the synthesized stack runs reconcile, delete, prune)");
});
