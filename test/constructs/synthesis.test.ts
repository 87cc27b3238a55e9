/**
 * What the constructs synthesize: per cluster an anchor (destroy-time hook: delete what the stack owns) and a runner
 * (create hook: apply the stack; its identity carries the digest of everything it applies), per endpoint a record
 * without hook (identity replaces it, declaration updated in place), written after the runner; hooks run
 * `node <esinfer> tf <hook>` with every value from `self`; user strings escaped for Terraform; secret values
 * nowhere; the same stack with null_resource; written so `esinfer` reads it back.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { App, DataResource, TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import {
  ElasticsearchCluster,
  InferenceEndpoint,
  canonicalJson,
  canonicalize,
  requestToDeclaration,
  secret,
  validateRequest,
  type InferenceEndpointProps,
} from "../../lib";
import { readSynthesizedStacks } from "../../lib/constructs/read-synthesized";
import { stackDigest } from "../../lib/constructs/stack-digest";
import { parseManifest } from "../../lib/engine";
import { ALL_PAIRS, minimalRequest } from "../helpers/minimal";
import { esinferResources, synthStack, withEnv, type Synthesized } from "../helpers/synth";
import { tempDir } from "../helpers/stack";

const CANARY = "sk-CANARY-construct-4f2a-never-synthesized";

function quickstart(stack: Construct, extra: Partial<ConstructorParameters<typeof ElasticsearchCluster>[2]> = {}) {
  const cluster = new ElasticsearchCluster(stack, "cluster", {
    url: "https://search.example.com:9200",
    auth: { apiKey: secret.env("ES_API_KEY") },
    ...extra,
  });
  const embeddings = new InferenceEndpoint(stack, "embeddings", {
    cluster,
    inferenceId: "emb",
    service: "openai",
    taskType: "text_embedding",
    serviceSettings: { modelId: "text-embedding-3-small", apiKey: secret.env("OPENAI_API_KEY"), dimensions: 256 },
    taskSettings: { user: "search" },
    chunkingSettings: { strategy: "word", maxChunkSize: 120, overlap: 40 },
  });
  const rerank = new InferenceEndpoint(stack, "rerank", {
    cluster,
    inferenceId: "rerank",
    service: "cohere",
    taskType: "rerank",
    serviceSettings: { modelId: "rerank-v3.5", apiKey: secret.env("COHERE_API_KEY") },
    taskSettings: { topN: 5 },
    allowInUse: true,
    timeout: "90s",
  });
  return { cluster, embeddings, rerank };
}

/** The quickstart's resources by kind: an anchor and a runner for its cluster, a record per endpoint. */
const QUICKSTART_KINDS = ["apply", "cluster", "endpoint", "endpoint"];

const recordOf = (out: Synthesized, id: string, type = "terraform_data") =>
  esinferResources(out.json, type).find((r) => r.kind === "endpoint" && r.values.inference_id === id)!;
const runnerOf = (out: Synthesized, type = "terraform_data") =>
  esinferResources(out.json, type).find((r) => r.kind === "apply")!;

describe("terraform_data (the default)", () => {
  const out = synthStack((stack) => quickstart(stack));
  const resources = esinferResources(out.json);
  const byKind = (kind: string) => resources.filter((r) => r.kind === kind);
  const [anchor] = byKind("cluster");
  const runner = runnerOf(out);

  test("one anchor and one runner per cluster, one record per endpoint; nothing to download", () => {
    expect(resources.map((r) => r.kind).sort()).toEqual(QUICKSTART_KINDS);
    expect(Object.keys(out.json.resource!)).toEqual(["terraform_data"]);
    expect(out.json.provider).toBeUndefined();
  });

  test("the anchor: replaced with the cluster or the stack name; its destroy-time hook deletes what the stack owns", () => {
    expect(anchor!.body.triggers_replace).toEqual({
      esinfer: "cluster",
      stack: "search",
      cluster: "url:https://search.example.com:9200",
    });
    expect(anchor!.body.provisioner).toEqual([
      {
        "local-exec": {
          when: "destroy",
          command: "destroy",
          interpreter: ["node", expect.stringMatching(/bin\/esinfer\.js$/), "tf"],
          environment: {
            ESINFER_STACK: "${self.triggers_replace.stack}",
            ESINFER_CLUSTER: "${self.input.connection}",
            ESINFER_STATE: "${self.input.state}",
            ESINFER_PROJECT_DIR: "${self.input.project_dir}",
            ESINFER_TF_ALLOW_IN_USE: "${self.input.allow_in_use}",
          },
        },
      },
    ]);
  });

  test("the runner: its identity carries the digest of every record and the tombstones; its create hook applies", () => {
    const [read] = readSynthesizedStacks(out.outdir);
    expect(runner.body.triggers_replace).toEqual({
      esinfer: "apply",
      stack: "search",
      cluster_anchor: `\${terraform_data.${anchor!.address}.id}`,
      digest: stackDigest([...read!.records.values()], []),
      absent: "[]",
    });
    expect(read!.digest).toBe(runner.values.digest);
    // No destroy-time hook: a replaced runner must delete nothing.
    expect(runner.body.provisioner).toEqual([
      {
        "local-exec": {
          command: "apply",
          interpreter: ["node", expect.stringMatching(/bin\/esinfer\.js$/), "tf"],
          environment: {
            ESINFER_STACK: "${self.triggers_replace.stack}",
            ESINFER_DIGEST: "${self.triggers_replace.digest}",
            ESINFER_CLUSTER: "${self.input.connection}",
            ESINFER_STATE: "${self.input.state}",
            ESINFER_PROJECT_DIR: "${self.input.project_dir}",
            ESINFER_TF_ALLOW_IN_USE: "${self.input.allow_in_use}",
          },
        },
      },
    ]);
  });

  test("a record: identity replaces it, the declaration and options update it in place; no hook; after the runner", () => {
    const record = recordOf(out, "emb");
    const expected = validateRequest({
      inference_id: "emb",
      task_type: "text_embedding",
      service: "openai",
      service_settings: { model_id: "text-embedding-3-small", api_key: { env: "OPENAI_API_KEY" }, dimensions: 256 },
      task_settings: { user: "search" },
      chunking_settings: { strategy: "word", max_chunk_size: 120, overlap: 40 },
    }).endpoint!;
    expect(record.body.triggers_replace).toEqual({
      esinfer: "endpoint",
      stack: "search",
      cluster_anchor: `\${terraform_data.${anchor!.address}.id}`,
      inference_id: "emb",
      task_type: "text_embedding",
      service: "openai",
    });
    expect(record.body.input).toEqual({
      declaration: canonicalJson(canonicalize(expected)),
      last_drift: "none",
      allow_in_use: "false",
      timeout: "",
    });
    expect(recordOf(out, "rerank").body.input).toMatchObject({ allow_in_use: "true", timeout: "90s" });
    expect(record.body.provisioner).toBeUndefined();
    expect(record.body.depends_on).toEqual([`terraform_data.${runner.address}`]);
  });

  test("where the cluster and the state are: inputs of the anchor and the runner (updated in place)", () => {
    for (const r of [anchor!, runner])
      expect(r.body.input).toEqual({
        connection: canonicalJson({ url: "https://search.example.com:9200", api_key: { env: "ES_API_KEY" } }),
        state: '{"backend":"file"}',
        project_dir: "../../..",
        allow_in_use: "false",
      });
  });

  test("hooks run esinfer directly (no shell), the project's own copy, found from the stack directory", () => {
    const hooks = resources.flatMap((r) => r.body.provisioner ?? []);
    expect(hooks.map((p) => p["local-exec"].command).sort()).toEqual(["apply", "destroy"]);
    for (const p of hooks) {
      const [node, bin, tf] = p["local-exec"].interpreter!;
      expect([node, tf]).toEqual(["node", "tf"]);
      const stackDir = join(out.outdir, "stacks", "search");
      expect(resolve(stackDir, bin!)).toBe(resolve(__dirname, "..", "..", "bin", "esinfer.js"));
      // Every value reaches the hook as an environment variable read from `self`.
      for (const value of Object.values(p["local-exec"].environment ?? {}))
        expect(value).toMatch(/^\$\{self\.(triggers_replace|input)\.[a-z_]+\}$/);
    }
  });

  test("never create_before_destroy", () => {
    expect(out.text).not.toContain("create_before_destroy");
  });
});

describe("the runner's digest", () => {
  const projectDir = tempDir("esinfer-digest-");
  const digestOf = (extra: Parameters<typeof quickstart>[1] = {}, tweak?: (c: ElasticsearchCluster) => void) =>
    runnerOf(
      synthStack(
        (stack) => {
          const { cluster } = quickstart(stack, extra);
          tweak?.(cluster);
        },
        { projectDir },
      ),
    ).values.digest;
  const base = digestOf();

  test("is the same for the same stack, and changes with any declaration, option or tombstone", () => {
    expect(digestOf()).toBe(base);
    expect(digestOf({ allowInUse: true })).not.toBe(base); // the emb record's allow_in_use
    expect(digestOf({}, (c) => c.declareAbsent("old"))).not.toBe(base);
    const other = synthStack((stack) => {
      const { cluster } = quickstart(stack);
      new InferenceEndpoint(stack, "elser", {
        cluster,
        inferenceId: "elser",
        service: "elasticsearch",
        taskType: "sparse_embedding",
        serviceSettings: { modelId: ".elser_model_2", numThreads: 1, numAllocations: 1 },
      });
    });
    expect(runnerOf(other).values.digest).not.toBe(base);
  });

  test("but not with where the cluster's connection is kept (credentials, state), which is updated in place", () => {
    expect(digestOf({ auth: { apiKey: secret.env("OTHER_KEY") }, state: { backend: "cluster" } })).toBe(base);
  });
});

test("user strings with ${ and %{ are escaped for Terraform, and read back as written", () => {
  const template = '{"model": "m", "input": ${input}, "note": "%{if x}literal$${kept}"}';
  const out = synthStack((stack) => {
    const cluster = new ElasticsearchCluster(stack, "cluster", { url: "http://localhost:9200" });
    new InferenceEndpoint(stack, "custom", {
      cluster,
      inferenceId: "custom-embed",
      service: "custom",
      taskType: "text_embedding",
      serviceSettings: {
        secretParameters: { api_key: secret.env("CUSTOM_KEY") },
        request: template,
        response: { jsonParser: { text_embeddings: "$.data[*].embedding[*]" } },
      },
    });
  });
  const record = esinferResources(out.json).find((r) => r.kind === "endpoint")!;
  expect(record.body.input!.declaration).toContain(
    '\\"input\\": $${input}, \\"note\\": \\"%%{if x}literal$$${kept}\\"',
  );
  // No unescaped interpolation anywhere in our values (Terraform would evaluate it).
  const values = esinferResources(out.json).flatMap((r) =>
    Object.values({ ...r.body.triggers_replace, ...r.body.input }),
  );
  for (const v of values)
    expect(v.replace(/\$\$\{|%%\{|\$\{terraform_data\.[A-Za-z0-9_-]+\.id\}/g, "")).not.toMatch(/\$\{|%\{/);
  const [read] = readSynthesizedStacks(out.outdir);
  expect((read!.manifest.endpoints[0] as { service_settings: { request: string } }).service_settings.request).toBe(
    template,
  );
});

test("secret values are never synthesized: only references", () => {
  const out = synthStack((stack) => quickstart(stack), {
    env: { OPENAI_API_KEY: CANARY, COHERE_API_KEY: CANARY, ES_API_KEY: CANARY },
  });
  expect(out.text).not.toContain(CANARY);
  expect(out.text).toContain('{\\"env\\":\\"OPENAI_API_KEY\\"}');
});

test("null_resource: the same commands through hashicorp/null; only what must replace a resource does", () => {
  const out = synthStack((stack) => quickstart(stack, { resourceType: "null_resource" }));
  expect(out.json.resource!.terraform_data).toBeUndefined();
  const resources = esinferResources(out.json, "null_resource");
  expect(resources.map((r) => r.kind).sort()).toEqual(QUICKSTART_KINDS);
  expect(out.json.provider).toEqual({ null: [{}] });
  expect(out.json.terraform!.required_providers).toEqual({ null: { source: "hashicorp/null", version: "~> 3.2" } });
  const reference = esinferResources(synthStack((stack) => quickstart(stack)).json);
  for (const r of resources) {
    // The connection is updated without replacing anything; a record's options are not the endpoint's, but its
    // declaration and last_drift are: their change replaces the record (null_resource has nothing updatable).
    expect(r.body.lifecycle).toEqual({
      ignore_changes:
        r.kind === "endpoint"
          ? ['triggers["allow_in_use"]', 'triggers["timeout"]']
          : ['triggers["connection"]', 'triggers["state"]', 'triggers["project_dir"]', 'triggers["allow_in_use"]'],
    });
    // The same values as terraform_data's, and the same hooks with the same variables; only where `self` keeps them
    // differs.
    const twin = reference.find((x) => x.kind === r.kind && x.values.inference_id === r.values.inference_id)!;
    expect(r.body.triggers).toEqual({
      ...twin.body.triggers_replace,
      ...twin.body.input,
      ...(twin.values.cluster_anchor ? { cluster_anchor: expect.stringMatching(/^\$\{null_resource\./) } : {}),
    });
    expect(
      r.body.provisioner?.map((p) => ({
        ...p["local-exec"],
        environment: Object.keys(p["local-exec"].environment ?? {}),
      })),
    ).toEqual(
      twin.body.provisioner?.map((p) => ({
        ...p["local-exec"],
        environment: Object.keys(p["local-exec"].environment ?? {}),
      })),
    );
    for (const p of r.body.provisioner ?? [])
      for (const value of Object.values(p["local-exec"].environment ?? {}))
        expect(value).toMatch(/^\$\{self\.triggers\.[a-z_]+\}$/);
  }
  const [read] = readSynthesizedStacks(out.outdir);
  expect(read!.manifest.endpoints).toHaveLength(2);
  expect(read!.digest).toBe(runnerOf(out, "null_resource").values.digest);
});

test("every service and task type synthesizes and reads back as its canonical declaration", () => {
  const requests = ALL_PAIRS.map(([service, taskType]) => minimalRequest(service, taskType));
  const out = synthStack((stack) => {
    const cluster = new ElasticsearchCluster(stack, "cluster", { url: "http://localhost:9200" });
    for (const request of requests)
      new InferenceEndpoint(stack, String(request.inference_id), {
        cluster,
        ...requestToDeclaration(request as Parameters<typeof requestToDeclaration>[0]),
      } as InferenceEndpointProps);
  });
  const [read] = readSynthesizedStacks(out.outdir);
  const { stack, issues } = parseManifest(read!.manifest, { baseDir: read!.projectDir });
  expect(issues).toEqual([]);
  const canonical = (r: unknown) => canonicalJson(canonicalize(validateRequest(r).endpoint!));
  expect(stack!.endpoints.map((e) => canonicalJson(canonicalize(e))).sort()).toEqual(requests.map(canonical).sort());
  expect(read!.projectDir).toBe(out.projectDir);
});

test("declared-absent endpoints (tombstones) are listed on the runner and read back", () => {
  const out = synthStack((stack) => {
    const { cluster } = quickstart(stack);
    cluster.declareAbsent("old-embeddings", "legacy-rerank");
  });
  expect(runnerOf(out).values.absent).toBe('["legacy-rerank","old-embeddings"]');
  expect(readSynthesizedStacks(out.outdir)[0]!.manifest.absent).toEqual(["legacy-rerank", "old-embeddings"]);
});

test("a cluster without a URL takes its connection from the environment when esinfer runs", () => {
  const out = synthStack((stack) => {
    const cluster = new ElasticsearchCluster(stack, "cluster", { state: { backend: "cluster" } });
    new InferenceEndpoint(stack, "elser", {
      cluster,
      inferenceId: "elser",
      service: "elasticsearch",
      taskType: "sparse_embedding",
      serviceSettings: { modelId: ".elser_model_2", numThreads: 1, numAllocations: 1 },
    });
  });
  const anchor = esinferResources(out.json).find((r) => r.kind === "cluster")!;
  expect(anchor.body.triggers_replace!.cluster).toBe("environment");
  expect(anchor.body.input!.connection).toBe("{}");
  expect(anchor.body.input!.state).toBe('{"backend":"cluster"}');
  expect(existsSync(join(out.outdir, "manifest.json"))).toBe(true);
});

test("CDK Terrain (cdktn) synthesizes exactly what cdktf does", () => {
  const strip = (json: unknown): unknown =>
    JSON.parse(JSON.stringify(json, (key, value) => (key === "//" ? undefined : value)));
  const projectDir = tempDir("esinfer-runtime-");
  const cdktf = synthStack((stack) => quickstart(stack), { runtime: "cdktf", projectDir });
  const cdktn = synthStack((stack) => quickstart(stack), { runtime: "cdktn", projectDir });
  expect(strip(cdktn.json)).toEqual(strip(cdktf.json));
  expect(esinferResources(cdktn.json)).toHaveLength(4);
});

describe("with cdktf's Testing helpers", () => {
  // Testing.synth gives a stack's synthesized JSON, metadata stripped (in an app of ours: Testing.app() leaves a
  // temporary directory behind).
  const synth = (build: (stack: Construct) => void) =>
    withEnv({ ESINFER_LOOKUP: "0" }, () => {
      const stack = new TerraformStack(new App({ outdir: tempDir("esinfer-testing-") }), "stack");
      build(stack);
      return Testing.synth(stack);
    });
  const synthesized = synth((scope) => quickstart(scope));

  test("the stack has esinfer's terraform_data resources with their triggers", () => {
    expect(synthesized).toHaveResourceWithProperties(DataResource, {
      triggers_replace: expect.objectContaining({ esinfer: "endpoint", inference_id: "emb", service: "openai" }),
    });
    expect(synthesized).toHaveResourceWithProperties(DataResource, {
      triggers_replace: expect.objectContaining({ esinfer: "apply", absent: "[]" }),
    });
    expect(synthesized).not.toHaveProvider({ tfResourceType: "null" } as never);
  });

  test("no secret value anywhere in the synthesized output", () => {
    expect(withEnv({ OPENAI_API_KEY: CANARY }, () => synth((scope) => quickstart(scope)))).not.toContain(CANARY);
  });
});
