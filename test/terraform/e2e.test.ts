/**
 * End to end with a real `terraform` binary (skipped, and said so, when none is installed), in the normal CDK for
 * Terraform workflow: synthesize the app (its drift lookup included), `terraform plan`, `terraform apply`, against
 * the emulator. Create; a task setting changed (the record updated in place, `_update` sent, no DELETE); the service
 * changed (the record replaced: DELETE, then PUT); a setting changed outside Terraform and a rotated secret (seen
 * by `terraform plan`, repaired by `terraform apply`); a tombstone and a removed construct (deleted); a failed
 * endpoint (the apply fails naming it, the next one retries); an endpoint in use (refused in Terraform's terms,
 * then allowed for one run); the stack pointed at another cluster (the old one emptied first); destroy. Before each apply Terraform's plan and `esinfer plan` name the same endpoints,
 * after it both show no changes and every record Terraform keeps is an endpoint in the cluster; each apply starts
 * one esinfer process; a canary secret is in no state file, synthesized file or output. With cdktf and with CDK
 * Terrain (cdktn).
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../../lib";
import { main } from "../../lib/cli/main";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { captureIo } from "../helpers/io";
import { tempDir } from "../helpers/stack";
import { synthApp, type Runtime } from "../helpers/synth";
import {
  changed,
  ensureBuilt,
  nodeCounter,
  recordsInState,
  terraform,
  terraformOk,
  terraformPlan,
  describeWithTerraform,
  inferenceWrites,
  type TerraformPlan,
} from "../helpers/terraform";
import type { AppShape } from "./app";

const CANARY = "sk-CANARY-terraform-e2e-0b7c-never-stored";
const ROTATED = "sk-CANARY-terraform-e2e-0b7c-rotated";
const withTerraform = describeWithTerraform("test/terraform/e2e.test.ts");
// Terraform, synthesis and the hooks are processes: slow on a busy machine. Nothing here measures time.
jest.setTimeout(300_000);

describe.each<Runtime>(["cdktf", "cdktn"])("with %s", (runtime) => {
  withTerraform("the Terraform workflow against the emulator", () => {
    /** The stack's cluster (the test before destroy moves the stack to another one). */
    let emu: Emulator;
    const emulators: Emulator[] = [];
    const project = tempDir("esinfer-e2e-");
    const stackDir = join(project, "cdktf.out", "stacks", "search");
    const counter = nodeCounter(project);
    let key = CANARY;
    const env = () => ({ OPENAI_API_KEY: key, ...counter.env() });
    const outputs: string[] = [];
    const texts: string[] = [];
    /** Terraform's state after each apply. */
    const states: string[] = [];

    beforeAll(async () => {
      ensureBuilt();
      emu = await startEmulator({ esVersion: "9.1.3" });
      emulators.push(emu);
      // esinfer plan without -f reads the synthesized stacks of the project in the working directory.
      writeFileSync(join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app: "true" }));
    }, 120_000);
    afterAll(() => Promise.all(emulators.map((e) => e.stop())));

    async function synth(shape: Omit<AppShape, "url"> = {}): Promise<void> {
      const out = await synthApp(project, { runtime, url: emu.url, ...shape }, { OPENAI_API_KEY: key });
      texts.push(out.text);
      outputs.push(out.stderr);
    }

    async function esinferChanges(): Promise<string[]> {
      const io = captureIo({ cwd: project, env: { OPENAI_API_KEY: key } });
      const code = await main(["plan", "--no-synth", "--json"], io);
      outputs.push(io.out(), io.err());
      if (code !== 0) throw new Error(`esinfer plan exited ${code}: ${io.err()}`);
      const plan = JSON.parse(io.out()) as Plan;
      return plan.endpoints
        .filter((e) => e.action !== "no-op")
        .map((e) => `${e.inference_id} ${e.action}`)
        .sort();
    }

    /** Terraform's plan; the endpoints it changes are those esinfer's plan changes. */
    async function plan(): Promise<TerraformPlan> {
      const p = await terraformPlan(stackDir, env());
      outputs.push(p.text);
      const records = p.changes.filter((c) => c.kind === "endpoint" && !c.actions.includes("no-op"));
      expect(records.map((c) => c.id).sort()).toEqual((await esinferChanges()).map((c) => c.split(" ")[0]));
      return p;
    }

    /** `terraform apply` of the saved plan: one esinfer process; afterwards no changes anywhere. */
    async function apply(): Promise<string> {
      counter.clear();
      const run = await terraformOk(stackDir, ["apply", "-auto-approve", "tfplan"], env());
      outputs.push(run.stdout, run.stderr);
      states.push(readFileSync(join(stackDir, "terraform.tfstate"), "utf8"));
      expect(counter.starts().map(([, hook]) => hook)).toEqual(["apply"]);
      await expectConverged();
      return run.stdout;
    }

    /** esinfer and Terraform (after a fresh synthesis) see no changes; every record is an endpoint in the cluster. */
    async function expectConverged(shape: Omit<AppShape, "url"> = current): Promise<void> {
      expect(await esinferChanges()).toEqual([]);
      const records = await recordsInState(stackDir, env());
      const live = emu.endpoints().map((e) => e.inference_id);
      expect(live).toEqual(expect.arrayContaining(records));
      await synth(shape);
      const again = await terraformPlan(stackDir, env());
      expect(changed(again)).toEqual([]);
      expect(again.text).toContain("No changes.");
    }

    const writes = () => inferenceWrites(emu);
    const live = (id: string) => emu.endpoints().find((e) => e.inference_id === id);
    let current: Omit<AppShape, "url"> = {};
    const declare = (shape: Omit<AppShape, "url">) => synth((current = shape));

    test("init; the first apply creates the anchor, the runner and a record per endpoint, and every endpoint", async () => {
      await declare({});
      outputs.push((await terraformOk(stackDir, ["init"], env())).stdout);
      const p = await plan();
      expect(changed(p)).toEqual([
        "apply: create",
        "cluster: create",
        "endpoint e2e-elser: create",
        "endpoint e2e-embeddings: create",
        "endpoint e2e-rerank: create",
      ]);
      expect(p.text).toContain("Plan: 5 to add, 0 to change, 0 to destroy.");
      const out = await apply();
      expect(out).toContain("esinfer: stack search: 3 to create, 0 to update in place, 0 to replace, 0 to delete");
      expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-elser", "e2e-embeddings", "e2e-rerank"]);
      expect(live("e2e-embeddings")).toMatchObject({
        service: "openai",
        service_settings: { model_id: "text-embedding-3-small", dimensions: 256 },
        chunking_settings: { strategy: "word", max_chunk_size: 120, overlap: 40 },
      });
      expect(live("e2e-rerank")!.task_settings).toEqual({ top_n: 10 });
    });

    test("a task setting change: the record is updated in place with the field diff; _update, no DELETE", async () => {
      await declare({ topN: 3 });
      const p = await plan();
      expect(changed(p)).toEqual(["apply: delete,create", "endpoint e2e-rerank: update"]);
      expect(p.text).toMatch(/# terraform_data\.rerank_endpoint_[0-9A-F]+ will be updated in-place/);
      expect(p.text).toMatch(/~ top_n\s+= 10 -> 3/);
      expect(p.text).toContain("Plan: 1 to add, 1 to change, 1 to destroy.");
      emu.requests.clear();
      await apply();
      expect(writes()).toEqual(["PUT /_inference/rerank/e2e-rerank/_update"]);
      expect(live("e2e-rerank")!.task_settings).toEqual({ top_n: 3 });
    });

    test("a service change: the record is replaced; DELETE, then PUT", async () => {
      await declare({ topN: 3, rerankService: "jinaai" });
      const p = await plan();
      expect(changed(p)).toEqual(["apply: delete,create", "endpoint e2e-rerank: delete,create"]);
      expect(p.text).toMatch(/# terraform_data\.rerank_endpoint_[0-9A-F]+ must be replaced/);
      emu.requests.clear();
      await apply();
      expect(writes()).toEqual(["DELETE /_inference/e2e-rerank", "PUT /_inference/rerank/e2e-rerank"]);
      expect(live("e2e-rerank")!.service).toBe("jinaai");
    });

    test("a setting changed outside Terraform: terraform plan shows it on that endpoint; apply repairs it", async () => {
      const r = await fetch(`${emu.url}/_inference/rerank/e2e-rerank/_update`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ task_settings: { top_n: 8 } }),
      });
      expect(r.status).toBe(200);
      await synth(current);
      const p = await plan();
      expect(changed(p)).toEqual(["apply: delete,create", "endpoint e2e-rerank: update"]);
      expect(p.text).toMatch(
        /~ last_drift\s+= "none" -> "drift [0-9a-f]{12}: task_settings\.top_n changed outside Terraform"/,
      );
      await apply();
      expect(live("e2e-rerank")!.task_settings).toEqual({ top_n: 3 });
    });

    test("a rotated secret: terraform plan shows the endpoints that use it; apply sends the new one", async () => {
      key = ROTATED;
      await synth(current);
      const p = await plan();
      expect(changed(p)).toEqual([
        "apply: delete,create",
        "endpoint e2e-embeddings: update",
        "endpoint e2e-rerank: update",
      ]);
      expect(p.text).toMatch(/"drift [0-9a-f]{12}: service_settings\.api_key rotated"/);
      emu.requests.clear();
      await apply();
      expect(writes().sort()).toEqual([
        "PUT /_inference/rerank/e2e-rerank/_update",
        "PUT /_inference/text_embedding/e2e-embeddings/_update",
      ]);
    });

    test("a construct removed with a tombstone, then one removed without: both deleted", async () => {
      await declare({ withRerank: false, absent: ["e2e-rerank"] });
      let p = await plan();
      expect(changed(p)).toEqual(["apply: delete,create", "endpoint e2e-rerank: delete"]);
      await apply();
      expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-elser", "e2e-embeddings"]);

      await declare({ withRerank: false, withElser: false, absent: ["e2e-rerank"] });
      p = await plan();
      expect(changed(p)).toEqual(["apply: delete,create", "endpoint e2e-elser: delete"]);
      await apply();
      expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-embeddings"]);
    });

    test("an endpoint whose apply fails fails terraform apply, naming it; no record claims it; the next apply retries", async () => {
      await declare({ withElser: false });
      await plan();
      emu.faults.error({ status: 400, method: "PUT", path: "/_inference/rerank/e2e-rerank" });
      counter.clear();
      const failed = await terraform(stackDir, ["apply", "-auto-approve", "tfplan"], env());
      outputs.push(failed.stdout, failed.stderr);
      expect(failed.code).toBe(1);
      expect(failed.stdout + failed.stderr).toMatch(/esinfer: e2e-rerank \(create\) failed: /);
      expect(failed.stdout + failed.stderr).toContain("the next terraform apply retries them");
      expect(await recordsInState(stackDir, env())).toEqual(["e2e-embeddings"]);
      emu.faults.clear();
      const retry = await plan();
      expect(changed(retry)).toEqual(["apply: delete,create", "endpoint e2e-rerank: create"]);
      expect(retry.text).toMatch(/terraform_data\.cluster_apply_[0-9A-F]+ is tainted, so must be replaced/);
      await apply();
      expect(live("e2e-rerank")!.service).toBe("cohere");
    });

    test("an endpoint in use: the refusal names allowInUse and ESINFER_ALLOW_IN_USE; the variable allows one run", async () => {
      await fetch(`${emu.url}/_ingest/pipeline/embed`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          processors: [
            { inference: { model_id: "e2e-embeddings", input_output: { input_field: "t", output_field: "v" } } },
          ],
        }),
      });
      await declare({ withElser: false, embeddingModel: "text-embedding-3-large" });
      await plan();
      emu.requests.clear();
      const refused = await terraform(stackDir, ["apply", "-auto-approve", "tfplan"], env());
      outputs.push(refused.stdout, refused.stderr);
      expect(refused.code).toBe(1);
      const said = (refused.stdout + refused.stderr).replace(/\s*\n\s*(│\s*)?/g, " ");
      expect(said).toContain("set allowInUse: true on its InferenceEndpoint (or on the ElasticsearchCluster)");
      expect(said).toContain("ESINFER_ALLOW_IN_USE=1 terraform apply");
      expect(said).not.toContain("--allow-in-use");
      expect(writes()).toEqual([]);

      await plan();
      const forced = await terraformOk(stackDir, ["apply", "-auto-approve", "tfplan"], {
        ...env(),
        ESINFER_ALLOW_IN_USE: "1",
      });
      outputs.push(forced.stdout);
      expect(live("e2e-embeddings")!.service_settings.model_id).toBe("text-embedding-3-large");
      await expectConverged();
    });

    test("pointed at another cluster, the stack empties the old one, then fills the new one; in use, allowed for one run", async () => {
      const old = emu;
      emu = await startEmulator({ esVersion: "9.1.3" });
      emulators.push(emu);
      await declare(current);
      // The records and the runner hang on the anchor, replaced with the cluster. (esinfer's own plan refuses to
      // plan this stack against the new cluster: its state belongs to the old one until the anchor empties it.)
      let p = await terraformPlan(stackDir, env());
      expect(changed(p)).toEqual([
        "apply: delete,create",
        "cluster: delete,create",
        "endpoint e2e-embeddings: delete,create",
        "endpoint e2e-rerank: delete,create",
      ]);
      const refused = await terraform(stackDir, ["apply", "-auto-approve", "tfplan"], env());
      outputs.push(refused.stdout, refused.stderr);
      expect(refused.code).toBe(1);
      expect((refused.stdout + refused.stderr).replace(/\s*\n\s*(│\s*)?/g, " ")).toContain(
        "ESINFER_ALLOW_IN_USE=1 terraform destroy (or terraform apply, when the stack moves to another cluster)",
      );
      expect(old.endpoints().map((e) => e.inference_id)).toEqual(["e2e-embeddings", "e2e-rerank"]);
      expect(emu.endpoints()).toEqual([]);

      p = await terraformPlan(stackDir, env());
      expect(changed(p)).toContain("cluster: delete,create");
      counter.clear();
      const moved = await terraformOk(stackDir, ["apply", "-auto-approve", "tfplan"], {
        ...env(),
        ESINFER_ALLOW_IN_USE: "1",
      });
      outputs.push(moved.stdout, moved.stderr);
      states.push(readFileSync(join(stackDir, "terraform.tfstate"), "utf8"));
      expect(counter.starts().map(([, hook]) => hook)).toEqual(["destroy", "apply"]);
      expect(old.endpoints()).toEqual([]);
      expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["e2e-embeddings", "e2e-rerank"]);
      const lastDelete = Math.max(...old.requests.list({ method: "DELETE" }).map((r) => Date.parse(r.time)));
      const firstCreate = Math.min(...emu.requests.list({ method: "PUT" }).map((r) => Date.parse(r.time)));
      expect(lastDelete).toBeLessThanOrEqual(firstCreate);
      await expectConverged();
    });

    test("terraform destroy deletes every endpoint the stack owns, with one esinfer process", async () => {
      counter.clear();
      const run = await terraformOk(stackDir, ["destroy", "-auto-approve"], { ...env(), ESINFER_ALLOW_IN_USE: "1" });
      outputs.push(run.stdout, run.stderr);
      expect(emu.endpoints()).toEqual([]);
      expect(counter.starts().map(([, hook]) => hook)).toEqual(["destroy"]);
      expect(await recordsInState(stackDir, env())).toEqual([]);
    });

    test("the canary secrets are in no state file, synthesized file or output", () => {
      const esinferStates = readdirSync(join(project, ".esinfer", "state")).map((f) =>
        readFileSync(join(project, ".esinfer", "state", f), "utf8"),
      );
      expect(states.length).toBeGreaterThanOrEqual(8);
      expect(esinferStates.length).toBeGreaterThan(0);
      for (const text of [...states, ...esinferStates, ...texts, ...outputs, JSON.stringify(emu.requests.list())]) {
        expect(text).not.toContain(CANARY);
        expect(text).not.toContain(ROTATED);
      }
      // The reference is there instead.
      expect(states[0]).toContain('{\\"env\\":\\"OPENAI_API_KEY\\"}');
    });
  });
});
