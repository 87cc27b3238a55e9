/**
 * The examples synthesize what they promise: the quickstart's three endpoints, and the promotion example's one
 * definition as dev, staging and prod stacks that differ only where the environments do.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { readSynthesizedStacks, type SynthesizedStack } from "../../lib/constructs/read-synthesized";
import { main } from "../../lib/cli/main";
import { QuickstartStack } from "../../examples/quickstart/stack";
import { ENVIRONMENTS } from "../../examples/promotion/environments";
import { SearchStack } from "../../examples/promotion/search-stack";
import { captureIo } from "../helpers/io";
import { tempDir } from "../helpers/stack";
import { withEnv } from "../helpers/synth";

function synthApp(add: (app: App) => void): { outdir: string; projectDir: string; stacks: SynthesizedStack[] } {
  const projectDir = tempDir("esinfer-example-");
  const outdir = join(projectDir, "cdktf.out");
  // Offline: these clusters are example hosts (the drift lookup has its own tests).
  withEnv({ ESINFER_LOOKUP: "0" }, () => {
    const app = new App({ outdir, context: { "esinfer:projectDir": projectDir } });
    add(app);
    app.synth();
  });
  return { outdir, projectDir, stacks: readSynthesizedStacks(outdir) };
}

type Endpoint = {
  inference_id: string;
  service: string;
  task_type: string;
  service_settings: Record<string, unknown>;
  task_settings: Record<string, unknown>;
  chunking_settings?: Record<string, unknown>;
};
const endpoints = (s: SynthesizedStack) =>
  Object.fromEntries((s.manifest.endpoints as Endpoint[]).map((e) => [e.inference_id, e]));

test("quickstart: ELSER in the cluster, OpenAI embeddings with custom chunking and an env key, Cohere rerank", () => {
  const { stacks } = synthApp((app) => new QuickstartStack(app, "quickstart"));
  expect(stacks.map((s) => s.name)).toEqual(["quickstart"]);
  const e = endpoints(stacks[0]!);
  expect(Object.keys(e).sort()).toEqual([
    "quickstart-cohere-rerank",
    "quickstart-elser",
    "quickstart-openai-embeddings",
  ]);
  expect(e["quickstart-elser"]).toMatchObject({ service: "elasticsearch", task_type: "sparse_embedding" });
  expect(e["quickstart-openai-embeddings"]).toMatchObject({
    service: "openai",
    task_type: "text_embedding",
    service_settings: { api_key: { env: "OPENAI_API_KEY" } },
    chunking_settings: { strategy: "word", max_chunk_size: 120, overlap: 40 },
  });
  expect(e["quickstart-cohere-rerank"]).toMatchObject({
    service: "cohere",
    task_type: "rerank",
    task_settings: { top_n: 10 },
  });
  // The connection comes from the environment; the state lives in the cluster.
  expect(stacks[0]!.manifest.cluster).toEqual({});
  expect(stacks[0]!.manifest.state).toEqual({ backend: "cluster" });
  const changed = synthApp((app) => new QuickstartStack(app, "quickstart", { rerankTopN: 5 }));
  expect(endpoints(changed.stacks[0]!)["quickstart-cohere-rerank"]!.task_settings.top_n).toBe(5);
});

describe("promotion", () => {
  const synthesized = synthApp((app) => {
    for (const [name, env] of Object.entries(ENVIRONMENTS)) new SearchStack(app, name, env);
  });
  const byName = Object.fromEntries(synthesized.stacks.map((s) => [s.name, s]));

  test("one definition, three stacks with the same endpoints", () => {
    expect(Object.keys(byName).sort()).toEqual(["dev", "prod", "staging"]);
    for (const s of synthesized.stacks)
      expect(Object.keys(endpoints(s)).sort()).toEqual(["search-elser", "search-embeddings", "search-rerank"]);
  });

  test("per environment: cluster, credentials, models, allocations, secret names, state", () => {
    const dev = endpoints(byName.dev!);
    const prod = endpoints(byName.prod!);
    expect(byName.dev!.manifest.cluster).toEqual({ url: "http://localhost:9200" });
    expect(byName.staging!.manifest.cluster).toEqual({
      url: "https://search.staging.example.com:9243",
      api_key: { env: "ES_API_KEY_STAGING" },
    });
    expect(byName.prod!.manifest.cluster).toMatchObject({ api_key: { env: "ES_API_KEY_PROD" } });
    expect(byName.prod!.manifest.state).toEqual({ backend: "cluster" });
    expect(byName.dev!.manifest.state).toEqual({ backend: "file" });
    expect(dev["search-embeddings"]!.service_settings).toMatchObject({
      model_id: "text-embedding-3-small",
      dimensions: 512,
      api_key: { env: "OPENAI_API_KEY_DEV" },
    });
    expect(prod["search-embeddings"]!.service_settings).toMatchObject({
      model_id: "text-embedding-3-large",
      dimensions: 1024,
      api_key: { env: "OPENAI_API_KEY_PROD" },
    });
    expect(dev["search-elser"]!.service_settings.num_allocations).toBe(1);
    expect(prod["search-elser"]!.service_settings.adaptive_allocations).toEqual({
      enabled: true,
      min_number_of_allocations: 2,
      max_number_of_allocations: 16,
    });
    expect(prod["search-rerank"]!.service_settings.api_key).toEqual({ env: "COHERE_API_KEY_PROD" });
  });

  test("esinfer picks one environment with --stack, and asks for it when there are several", async () => {
    writeFileSync(join(synthesized.projectDir, "cdktf.json"), JSON.stringify({ app: "true" }));
    const io = captureIo({ cwd: synthesized.projectDir });
    expect(await main(["plan", "--no-synth"], io)).toBe(1);
    expect(io.err()).toContain("the app has several esinfer stacks (dev, prod, staging): pick one with --stack NAME");
    const unknown = captureIo({ cwd: synthesized.projectDir });
    expect(await main(["plan", "--no-synth", "--stack", "qa"], unknown)).toBe(1);
    expect(unknown.err()).toContain("--stack qa: no such esinfer stack (the app has dev, prod, staging)");
  });
});
