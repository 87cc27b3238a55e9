/**
 * End to end with a real `terraform` binary (skipped, and said so, when none is installed): synthesize, `terraform
 * init` and `apply` against the emulator, then change a task setting (updated in place: no DELETE), change the
 * service (replaced), tombstone an endpoint (deleted), destroy. After every apply `esinfer plan` shows no changes;
 * before it, Terraform's plan and esinfer's plan name the same endpoints; a canary secret is in no state file,
 * synthesized file or output. With cdktf and with CDK Terrain (cdktn).
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Construct } from "constructs";
import { ElasticsearchCluster, InferenceEndpoint, secret, type Plan } from "../../lib";
import { main } from "../../lib/cli/main";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { captureIo } from "../helpers/io";
import { tempDir } from "../helpers/stack";
import { synthStack, type Runtime } from "../helpers/synth";
import { ensureBuilt, terraformOk, terraformVersion } from "../helpers/terraform";

const CANARY = "sk-CANARY-terraform-e2e-0b7c-never-stored";
const version = terraformVersion();
if (!version)
  // eslint-disable-next-line no-console
  console.warn(
    "SKIPPED test/terraform/e2e.test.ts: no terraform binary on PATH (set TERRAFORM_BINARY_NAME to use another)",
  );
const withTerraform = version ? describe : describe.skip;

interface Shape {
  readonly topN?: number;
  readonly rerankService?: "cohere" | "jinaai";
  readonly withRerank?: boolean;
  readonly absent?: string[];
}

function build(emu: Emulator, shape: Shape, runtime: Runtime) {
  return (stack: Construct) => {
    // Terraform's state beside the stack (cdktf's default is a file in the working directory, shared by runs).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LocalBackend } = require(runtime) as typeof import("cdktf");
    new LocalBackend(stack, { path: "terraform.tfstate" });
    const cluster = new ElasticsearchCluster(stack, "cluster", { url: emu.url });
    new InferenceEndpoint(stack, "elser", {
      cluster,
      inferenceId: "e2e-elser",
      service: "elasticsearch",
      taskType: "sparse_embedding",
      serviceSettings: { modelId: ".elser_model_2", numThreads: 1, numAllocations: 1 },
    });
    new InferenceEndpoint(stack, "embeddings", {
      cluster,
      inferenceId: "e2e-embeddings",
      service: "openai",
      taskType: "text_embedding",
      serviceSettings: { modelId: "text-embedding-3-small", apiKey: secret.env("OPENAI_API_KEY"), dimensions: 256 },
      chunkingSettings: { strategy: "word", maxChunkSize: 120, overlap: 40 },
    });
    if (shape.withRerank !== false) {
      const common = { cluster, inferenceId: "e2e-rerank", taskType: "rerank" as const };
      if (shape.rerankService === "jinaai")
        new InferenceEndpoint(stack, "rerank", {
          ...common,
          service: "jinaai",
          serviceSettings: { modelId: "jina-reranker-v2-base-multilingual", apiKey: secret.env("OPENAI_API_KEY") },
          taskSettings: { topN: shape.topN ?? 10 },
        });
      else
        new InferenceEndpoint(stack, "rerank", {
          ...common,
          service: "cohere",
          serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env("OPENAI_API_KEY") },
          taskSettings: { topN: shape.topN ?? 10 },
        });
    }
    if (shape.absent) cluster.declareAbsent(...shape.absent);
  };
}

describe.each<Runtime>(["cdktf", "cdktn"])("with %s", (runtime) => {
  withTerraform("terraform apply against the emulator", () => {
    let emu: Emulator;
    const project = tempDir("esinfer-e2e-");
    const stackDir = join(project, "cdktf.out", "stacks", "search");
    const env = { OPENAI_API_KEY: CANARY };
    const outputs: string[] = [];
    /** Terraform's state after each apply. */
    const states: string[] = [];

    beforeAll(async () => {
      ensureBuilt();
      emu = await startEmulator({ esVersion: "9.1.3" });
      // esinfer plan without -f reads the synthesized stacks of the project in the working directory.
      writeFileSync(join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app: "true" }));
    });
    afterAll(() => emu.stop());

    const synth = (shape: Shape) => synthStack(build(emu, shape, runtime), { runtime, projectDir: project });

    async function esinferPlan(): Promise<Plan> {
      const io = captureIo({ cwd: project, env });
      const code = await main(["plan", "--no-synth", "--json"], io);
      outputs.push(io.out(), io.err());
      if (code !== 0) throw new Error(`esinfer plan exited ${code}: ${io.err()}`);
      return JSON.parse(io.out()) as Plan;
    }

    /** Inference ids whose resources Terraform plans to change (the stack resource is only the mechanism). */
    async function terraformPlanIds(): Promise<string[]> {
      outputs.push((await terraformOk(stackDir, ["plan", "-out=tfplan"], env)).stdout);
      const show = JSON.parse((await terraformOk(stackDir, ["show", "-json", "tfplan"], env)).stdout) as {
        resource_changes?: { change: { actions: string[]; before?: Values; after?: Values } }[];
      };
      const ids = new Set<string>();
      for (const rc of show.resource_changes ?? []) {
        if (rc.change.actions.every((a) => a === "no-op" || a === "read")) continue;
        for (const values of [rc.change.before, rc.change.after]) {
          const id = idOf(values);
          if (id) ids.add(id);
        }
      }
      return [...ids].sort();
    }

    async function apply(): Promise<string> {
      const run = await terraformOk(stackDir, ["apply", "-auto-approve", "tfplan"], env);
      outputs.push(run.stdout, run.stderr);
      states.push(readFileSync(join(stackDir, "terraform.tfstate"), "utf8"));
      return run.stdout;
    }

    const changedIds = (plan: Plan) =>
      plan.endpoints
        .filter((e) => e.action !== "no-op")
        .map((e) => e.inference_id)
        .sort();

    test("init, then apply creates every endpoint with its settings; esinfer then plans no changes", async () => {
      synth({});
      outputs.push((await terraformOk(stackDir, ["init"], env)).stdout);
      expect(await terraformPlanIds()).toEqual(changedIds(await esinferPlan()));
      expect(changedIds(await esinferPlan())).toEqual(["e2e-elser", "e2e-embeddings", "e2e-rerank"]);
      await apply();
      const live = Object.fromEntries(emu.endpoints().map((e) => [e.inference_id, e]));
      expect(Object.keys(live)).toEqual(["e2e-elser", "e2e-embeddings", "e2e-rerank"]);
      expect(live["e2e-embeddings"]).toMatchObject({
        service: "openai",
        service_settings: { model_id: "text-embedding-3-small", dimensions: 256 },
        chunking_settings: { strategy: "word", max_chunk_size: 120, overlap: 40 },
      });
      expect(live["e2e-rerank"]!.task_settings).toEqual({ top_n: 10 });
      expect(changedIds(await esinferPlan())).toEqual([]);
      expect(await terraformPlanIds()).toEqual([]);
    });

    test("a task setting change is applied in place: _update, no DELETE", async () => {
      synth({ topN: 3 });
      expect(await terraformPlanIds()).toEqual(["e2e-rerank"]);
      const plan = await esinferPlan();
      expect(plan.endpoints.find((e) => e.inference_id === "e2e-rerank")!.action).toBe("update");
      emu.requests.clear();
      await apply();
      expect(emu.requests.list({ method: "DELETE" })).toEqual([]);
      expect(emu.requests.list({ method: "PUT" }).map((r) => r.path)).toEqual([
        "/_inference/rerank/e2e-rerank/_update",
      ]);
      expect(emu.endpoints().find((e) => e.inference_id === "e2e-rerank")!.task_settings).toEqual({ top_n: 3 });
      expect(changedIds(await esinferPlan())).toEqual([]);
    });

    test("a service change replaces the endpoint: DELETE, then PUT", async () => {
      synth({ topN: 3, rerankService: "jinaai" });
      expect(await terraformPlanIds()).toEqual(["e2e-rerank"]);
      expect((await esinferPlan()).endpoints.find((e) => e.inference_id === "e2e-rerank")!.action).toBe("replace");
      emu.requests.clear();
      await apply();
      expect(
        emu.requests
          .list()
          .filter((r) => r.method !== "GET")
          .map((r) => `${r.method} ${r.path}`),
      ).toEqual(expect.arrayContaining(["DELETE /_inference/e2e-rerank", "PUT /_inference/rerank/e2e-rerank"]));
      expect(emu.endpoints().find((e) => e.inference_id === "e2e-rerank")!.service).toBe("jinaai");
      expect(changedIds(await esinferPlan())).toEqual([]);
    });

    test("a removed construct with a tombstone is deleted; the plans agree", async () => {
      synth({ withRerank: false, absent: ["e2e-rerank"] });
      expect(await terraformPlanIds()).toEqual(["e2e-rerank"]);
      expect((await esinferPlan()).endpoints.find((e) => e.inference_id === "e2e-rerank")!.action).toBe("delete");
      await apply();
      expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-elser", "e2e-embeddings"]);
      expect(changedIds(await esinferPlan())).toEqual([]);
    });

    test("terraform destroy deletes every endpoint", async () => {
      const run = await terraformOk(stackDir, ["destroy", "-auto-approve"], env);
      outputs.push(run.stdout, run.stderr);
      expect(emu.endpoints()).toEqual([]);
    });

    test("the canary secret is in no state file, synthesized file or output", () => {
      const esinferStates = readdirSync(join(project, ".esinfer", "state")).map((f) =>
        readFileSync(join(project, ".esinfer", "state", f), "utf8"),
      );
      const files = [...states, ...esinferStates, readFileSync(join(stackDir, "cdk.tf.json"), "utf8")];
      expect(states).toHaveLength(4);
      expect(esinferStates.length).toBeGreaterThan(0);
      for (const text of [...files, ...outputs, JSON.stringify(emu.requests.list())])
        expect(text).not.toContain(CANARY);
      // The reference is there instead.
      expect(states[0]).toContain('{\\"env\\":\\"OPENAI_API_KEY\\"}');
    });
  });
});

type Values = { triggers_replace?: Record<string, string> } | undefined;

function idOf(values: Values): string | undefined {
  const t = values?.triggers_replace;
  if (!t || (t.esinfer !== "identity" && t.esinfer !== "endpoint")) return undefined;
  if (t.inference_id) return t.inference_id;
  return t.declaration ? (JSON.parse(t.declaration) as { inference_id: string }).inference_id : undefined;
}
