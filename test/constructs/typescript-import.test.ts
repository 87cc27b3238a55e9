/**
 * `esinfer import --format typescript`: adopting an existing cluster is a paste. The printed code compiles in a
 * TerraformStack (type-checked with the project's settings), synthesizes, and the next plan shows no changes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as ts from "typescript";
import { ElasticsearchCluster, InferenceEndpoint, secret, type Plan } from "../../lib";
import { main } from "../../lib/cli/main";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { captureIo } from "../helpers/io";
import { tempDir } from "../helpers/stack";
import { synthStack } from "../helpers/synth";

const CANARY = "sk-CANARY-import-3d5e-never-printed";
const ROOT = resolve(__dirname, "..", "..");

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ esVersion: "9.1.3" });
});
afterAll(() => emu.stop());

/** The generated code as a function of (InferenceEndpoint, secret, cluster), called with the stack as `this`. */
function evaluate(code: string): (stack: unknown, cluster: ElasticsearchCluster) => void {
  const body = code.replace(/^import .*$/m, "");
  const js = ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function("InferenceEndpoint", "secret", "cluster", js) as (...args: unknown[]) => void;
  return (stack, cluster) => fn.call(stack, InferenceEndpoint, secret, cluster);
}

/** Type-checks the code pasted into a stack, as a user's project would compile it. */
function typeErrors(code: string): string[] {
  const dir = join(ROOT, ".tmp");
  mkdirSync(dir, { recursive: true });
  const project = mkdtempSync(join(dir, "import-"));
  try {
    const [imports, ...rest] = code.split("\n");
    const file = join(project, "adopt.ts");
    writeFileSync(
      file,
      [
        'import { TerraformStack } from "cdktf";',
        'import type { Construct } from "constructs";',
        'import { ElasticsearchCluster } from "esinfer";',
        imports,
        "export class Adopted extends TerraformStack {",
        "  constructor(scope: Construct, id: string) {",
        "    super(scope, id);",
        '    const cluster = new ElasticsearchCluster(this, "cluster", { url: "http://localhost:9200" });',
        ...rest,
        "  }",
        "}",
      ].join("\n"),
    );
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => undefined,
      },
    )!;
    const program = ts.createProgram([file], { ...config.options, noEmit: true });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file || !d.file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

test("imported endpoints become construct code that compiles, synthesizes and plans no changes", async () => {
  emu.reset();
  emu.createEndpoint(
    "legacy-emb",
    {
      service: "openai",
      service_settings: { model_id: "text-embedding-3-large", api_key: CANARY, dimensions: 1024 },
      task_settings: { user: "legacy", headers: { "X-Team": "search" } },
      chunking_settings: { strategy: "word", max_chunk_size: 100, overlap: 20 },
    },
    "text_embedding",
  );
  emu.createEndpoint(
    "legacy-custom",
    {
      service: "custom",
      service_settings: {
        secret_parameters: { api_key: CANARY },
        url: "https://embed.example.com/v1",
        request: '{"input": ${input}}',
        response: { json_parser: { text_embeddings: "$.data[*].embedding[*]" } },
      },
    },
    "text_embedding",
  );
  emu.createEndpoint(
    "legacy-rerank",
    { service: "elasticsearch", service_settings: { model_id: ".rerank-v1", num_threads: 1, num_allocations: 1 } },
    "rerank",
  );

  const project = tempDir("esinfer-adopt-");
  writeFileSync(
    join(project, "m.json"),
    JSON.stringify({ stack: "adopted", cluster: { url: emu.url }, endpoints: [] }),
  );
  const io = captureIo({ cwd: project });
  const code = await main(
    ["import", "legacy-emb", "legacy-custom", "legacy-rerank", "--format", "typescript", "-f", "m.json"],
    io,
  );
  expect(io.err()).toContain("Imported 3 endpoints into stack adopted");
  expect(code).toBe(0);
  const generated = io.out();
  expect(generated).toContain('import { InferenceEndpoint, secret } from "esinfer";');
  expect(generated).toContain('new InferenceEndpoint(this, "legacy-emb", {');
  expect(generated).toContain('apiKey: secret.env("LEGACY_EMB_API_KEY"),');
  expect(generated).toContain('"X-Team": "search"'); // free-form header names kept as written
  expect(generated).not.toContain(CANARY);

  expect(typeErrors(generated)).toEqual([]);

  // Pasted into the stack (same name and state as the import), synthesized: no changes.
  synthStack(
    (stack) => {
      const cluster = new ElasticsearchCluster(stack, "cluster", { url: emu.url, stackName: "adopted" });
      evaluate(generated)(stack, cluster);
    },
    { projectDir: project },
  );
  writeFileSync(join(project, "cdktf.json"), JSON.stringify({ app: "true" }));
  const env = { LEGACY_EMB_API_KEY: "rotated-later", LEGACY_CUSTOM_API_KEY: "x" };
  const planIo = captureIo({ cwd: project, env });
  expect(await main(["plan", "--no-synth", "--json"], planIo)).toBe(0);
  const plan = JSON.parse(planIo.out()) as Plan;
  expect(plan.endpoints.map((e) => [e.inference_id, e.action])).toEqual([
    ["legacy-custom", "no-op"],
    ["legacy-emb", "no-op"],
    ["legacy-rerank", "no-op"],
  ]);
});

test("code that does not type-check is caught by the checker (it can fail)", () => {
  expect(
    typeErrors(
      'import { InferenceEndpoint } from "esinfer";\nnew InferenceEndpoint(this, "x", { cluster, inferenceId: "x", service: "openai", taskType: "rerank", serviceSettings: {} });',
    ),
  ).not.toEqual([]);
});
