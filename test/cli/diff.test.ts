/**
 * `esinfer diff`: two stacks endpoint by endpoint (manifests, or synthesized stacks of one app), declared or live,
 * in every format; secrets only ever as their references.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { PROJECT_DIR_CONTEXT } from "../../lib/constructs";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { ENVIRONMENTS } from "../../examples/promotion/environments";
import { SearchStack } from "../../examples/promotion/search-stack";
import { elser, embeddings, lines, rerank, useCli } from "./harness";

const cli = useCli();
const STAGING_KEY = "sk-CANARY-diff-staging-1f0c";
const PROD_KEY = "sk-CANARY-diff-prod-93ab";
const env = { OPENAI_API_KEY_STAGING: STAGING_KEY, OPENAI_API_KEY_PROD: PROD_KEY };

/** Runs esinfer with the staging and prod keys set; nothing it prints may hold one. */
async function diff(argv: string[]) {
  const ran = await cli.run(["diff", ...argv], { env });
  for (const key of [STAGING_KEY, PROD_KEY]) expect(ran.out + ran.err).not.toContain(key);
  return ran;
}

const completion = (overrides: Record<string, unknown> = {}) => ({
  inference_id: "search-debug",
  task_type: "completion",
  service: "openai",
  service_settings: { model_id: "gpt-4o-mini", api_key: { env: "OPENAI_API_KEY_STAGING" } },
  ...overrides,
});

function stagingAndProd(url = cli.emu.url, prodUrl = url) {
  cli.manifest(
    [
      embeddings({
        inference_id: "search-embeddings",
        service_settings: {
          model_id: "text-embedding-3-small",
          api_key: { env: "OPENAI_API_KEY_STAGING" },
          dimensions: 512,
        },
        task_settings: { user: "staging" },
        chunking_settings: { strategy: "word", max_chunk_size: 120, overlap: 40 },
      }),
      elser({ inference_id: "search-elser" }),
      rerank({ inference_id: "search-rerank" }),
      completion(),
    ],
    { stack: "staging", cluster: { url } },
    "staging.json",
  );
  cli.manifest(
    [
      embeddings({
        inference_id: "search-embeddings",
        service_settings: {
          model_id: "text-embedding-3-large",
          api_key: { env: "OPENAI_API_KEY_PROD" },
          dimensions: 1024,
        },
        task_settings: {},
        chunking_settings: { strategy: "word", max_chunk_size: 120, overlap: 40 },
      }),
      elser({ inference_id: "search-elser" }),
      rerank({ inference_id: "search-rerank", task_settings: { top_n: 10 } }),
      rerank({ inference_id: "search-legacy" }),
    ],
    { stack: "prod", cluster: { url: prodUrl } },
    "prod.json",
  );
}

test("two manifests: what only one side has, and field by field what differs; secrets as references", async () => {
  stagingAndProd();
  const { code, out, err } = await diff(["staging.json", "prod.json"]);
  expect({ code, err }).toEqual({ code: 0, err: "" });
  expect(lines(out)).toEqual([
    "Stack staging (manifest staging.json) -> stack prod (manifest prod.json)",
    "Endpoints paired by inference_id; each side as declared. - is staging's, + prod's.",
    "",
    "  - only in staging: search-debug (openai completion)",
    "  + only in prod: search-legacy (cohere rerank)",
    "",
    "  ~ search-embeddings (openai text_embedding)",
    "      ~ service_settings.api_key = (sensitive, from OPENAI_API_KEY_STAGING) -> (sensitive, from OPENAI_API_KEY_PROD)",
    "      ~ service_settings.dimensions = 512 -> 1024",
    '      ~ service_settings.model_id = "text-embedding-3-small" -> "text-embedding-3-large"',
    '      - task_settings.user = "staging"',
    "",
    "  ~ search-rerank (cohere rerank)",
    "      ~ task_settings.top_n = 5 -> 10",
    "",
    "Diff: 1 only in staging, 1 only in prod, 2 different, 1 the same.",
  ]);
});

test("--detailed-exitcode: 2 when the stacks differ, 0 when they are the same", async () => {
  stagingAndProd();
  expect((await diff(["staging.json", "prod.json", "--detailed-exitcode"])).code).toBe(2);
  const same = await diff(["staging.json", "staging.json", "--detailed-exitcode"]);
  expect(same.code).toBe(0);
  expect(lines(same.out).at(-1)).toBe("No differences: left and right have the same 4 endpoints.");
});

test("an omitted default equals the same value declared (canonical forms are compared)", async () => {
  cli.manifest([elser()], { stack: "a" }, "a.json");
  cli.manifest(
    [elser({ chunking_settings: { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 } })],
    {
      stack: "b",
    },
    "b.json",
  );
  const { out } = await diff(["a.json", "b.json", "--detailed-exitcode"]);
  expect(lines(out).at(-1)).toBe("No differences: a and b have the same 1 endpoint.");
});

test("--json: the versioned document, secrets as their references", async () => {
  stagingAndProd();
  const { code, out } = await diff(["staging.json", "prod.json", "--json"]);
  expect(code).toBe(0);
  const doc = JSON.parse(out);
  expect(doc).toMatchObject({
    format_version: "1.0",
    left: { label: "staging", stack: "staging", source: "manifest staging.json", endpoints: 4 },
    right: { label: "prod", stack: "prod", source: "manifest prod.json", endpoints: 4 },
    live: false,
    match: { by: "inference_id", strip_prefixes: [] },
    summary: { only_left: 1, only_right: 1, different: 2, same: 1 },
    notes: [],
  });
  expect(doc.endpoints.map((e: { key: string; status: string }) => [e.key, e.status])).toEqual([
    ["search-debug", "only_left"],
    ["search-elser", "same"],
    ["search-embeddings", "different"],
    ["search-legacy", "only_right"],
    ["search-rerank", "different"],
  ]);
  expect(doc.endpoints[2].differences[0]).toEqual({
    path: "service_settings.api_key",
    left: { env: "OPENAI_API_KEY_STAGING" },
    right: { env: "OPENAI_API_KEY_PROD" },
    secret: true,
  });
  expect(doc.endpoints[2].differences[3]).toEqual({ path: "task_settings.user", left: "staging", secret: false });
  // The same choice with --format json.
  expect((await diff(["staging.json", "prod.json", "--format", "json"])).out).toBe(out);
});

test("--format markdown: a comment with the endpoints on one side only and a table per endpoint that differs", async () => {
  stagingAndProd();
  const { code, out } = await diff(["staging.json", "prod.json", "--format", "markdown"]);
  expect(code).toBe(0);
  expect(out).toContain("### esinfer diff: `staging` → `prod`");
  expect(out).toContain("**Diff: 1 only in staging, 1 only in prod, 2 different, 1 the same.**");
  expect(out).toContain("#### Only in `staging`\n\n- `search-debug` (openai completion)");
  expect(out).toContain("#### Only in `prod`\n\n- `search-legacy` (cohere rerank)");
  expect(out).toContain(
    [
      "#### `search-embeddings` (openai text\\_embedding)",
      "",
      "| Field | `staging` | `prod` |",
      "| --- | --- | --- |",
      "| `service_settings.api_key` | `(sensitive, from OPENAI_API_KEY_STAGING)` | `(sensitive, from OPENAI_API_KEY_PROD)` |",
      "| `service_settings.dimensions` | `512` | `1024` |",
      '| `service_settings.model_id` | `"text-embedding-3-small"` | `"text-embedding-3-large"` |',
      '| `task_settings.user` | `"staging"` | — |',
    ].join("\n"),
  );
});

describe("pairing ids that differ by an environment prefix", () => {
  beforeEach(() => {
    cli.manifest(
      [elser({ inference_id: "staging-elser" }), rerank({ inference_id: "staging-rerank" })],
      {
        stack: "staging",
      },
      "staging.json",
    );
    cli.manifest(
      [elser({ inference_id: "prod-elser" }), rerank({ inference_id: "prod-rerank", task_settings: {} })],
      {
        stack: "prod",
      },
      "prod.json",
    );
  });

  test("without --strip-prefix nothing pairs, and the note suggests the prefixes", async () => {
    const { out } = await diff(["staging.json", "prod.json"]);
    expect(lines(out).slice(-2)).toEqual([
      "Diff: 2 only in staging, 2 only in prod, 0 different, 0 the same.",
      "Note: No endpoint pairs by inference_id; the ids differ by prefix? Try --strip-prefix staging- --strip-prefix prod-.",
    ]);
  });

  test("--strip-prefix pairs them, showing both ids", async () => {
    const { out } = await diff(["staging.json", "prod.json", "--strip-prefix", "staging-", "--strip-prefix", "prod-"]);
    expect(lines(out)).toEqual([
      "Stack staging (manifest staging.json) -> stack prod (manifest prod.json)",
      "Endpoints paired by inference_id, less the prefix staging- or prod-; each side as declared. - is staging's, + prod's.",
      "",
      "  ~ elser: staging-elser -> prod-elser (elasticsearch sparse_embedding)",
      "      # only the inference ids differ",
      "",
      "  ~ rerank: staging-rerank -> prod-rerank (cohere rerank)",
      "      - task_settings.top_n = 5",
      "",
      "Diff: 0 only in staging, 0 only in prod, 2 different, 0 the same.",
    ]);
  });

  test("two ids of one side that pair alike are an error naming both", async () => {
    cli.manifest(
      [elser({ inference_id: "elser" }), rerank({ inference_id: "prod-elser" })],
      { stack: "prod" },
      "p2.json",
    );
    const { code, err } = await diff(["staging.json", "p2.json", "--strip-prefix", "prod-"]);
    expect(code).toBe(1);
    expect(err).toBe(
      'Error: stack prod has two endpoints that pair as "elser" once a prefix is stripped: elser and prod-elser; ' +
        "strip fewer prefixes (--strip-prefix)\n",
    );
  });
});

test("names are data: constructor, toString and hasOwnProperty as header names are fields like any other", async () => {
  const custom = (headers: Record<string, string>) => ({
    inference_id: "hooks",
    task_type: "completion",
    service: "custom",
    service_settings: {
      secret_parameters: { api_key: { env: "CUSTOM_KEY" } },
      request: '{"input": ${input}}',
      response: { json_parser: { completion_result: "$.text" } },
      headers,
    },
  });
  cli.manifest([custom({ constructor: "x", toString: "1" })], { stack: "a" }, "a.json");
  cli.manifest([custom({ constructor: "x", hasOwnProperty: "2" })], { stack: "b" }, "b.json");
  const { code, out } = await diff(["a.json", "b.json"]);
  expect(code).toBe(0);
  expect(lines(out).slice(3, 6)).toEqual([
    "  ~ hooks (custom completion)",
    '      + service_settings.headers.hasOwnProperty = "2"',
    '      - service_settings.headers.toString = "1"',
  ]);
});

describe("synthesized stacks of one app: --stack A --stack B", () => {
  test("the promotion example: what prod gets that staging has", async () => {
    const project = cli.dir();
    const app = new App({ outdir: join(project, "cdktf.out"), context: { [PROJECT_DIR_CONTEXT]: project } });
    for (const [name, environment] of Object.entries(ENVIRONMENTS)) new SearchStack(app, name, environment);
    app.synth();
    writeFileSync(join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app: "false" }));
    const ran = await diff(["--stack", "staging", "--stack", "prod", "--no-synth"]);
    expect({ code: ran.code, err: ran.err }).toEqual({ code: 0, err: "" });
    expect(lines(ran.out)).toEqual([
      "Stack staging (synthesized (cdktf.out/stacks/staging/cdk.tf.json)) -> stack prod (synthesized (cdktf.out/stacks/prod/cdk.tf.json))",
      "Endpoints paired by inference_id; each side as declared. - is staging's, + prod's.",
      "",
      "  ~ search-elser (elasticsearch sparse_embedding)",
      "      ~ service_settings.adaptive_allocations.max_number_of_allocations = 4 -> 16",
      "      ~ service_settings.adaptive_allocations.min_number_of_allocations = 0 -> 2",
      "",
      "  ~ search-embeddings (openai text_embedding)",
      "      ~ service_settings.api_key = (sensitive, from OPENAI_API_KEY_STAGING) -> (sensitive, from OPENAI_API_KEY_PROD)",
      "",
      "  ~ search-rerank (cohere rerank)",
      "      ~ service_settings.api_key = (sensitive, from COHERE_API_KEY_STAGING) -> (sensitive, from COHERE_API_KEY_PROD)",
      "",
      "Diff: 0 only in staging, 0 only in prod, 3 different, 0 the same.",
    ]);
  });

  test("the app is synthesized once for both stacks", async () => {
    const dir = cli.dir();
    const cdktf = JSON.stringify(require.resolve("cdktf"));
    const esinfer = JSON.stringify(join(__dirname, "..", "..", "dist", "index.js"));
    writeFileSync(
      join(dir, "main.js"),
      [
        `require("node:fs").appendFileSync("synth-runs", "x");`,
        `const { App, TerraformStack } = require(${cdktf});`,
        `const { ElasticsearchCluster, InferenceEndpoint } = require(${esinfer});`,
        `const app = new App();`,
        `for (const [name, topN] of [["a", 5], ["b", 10]]) {`,
        `  const stack = new TerraformStack(app, name);`,
        `  const cluster = new ElasticsearchCluster(stack, "cluster", {});`,
        `  new InferenceEndpoint(stack, "rerank", { cluster, inferenceId: "rerank", service: "cohere",`,
        `    taskType: "rerank", serviceSettings: { modelId: "rerank-v3.5", apiKey: { env: "COHERE_API_KEY" } },`,
        `    taskSettings: { topN } });`,
        `}`,
        `app.synth();`,
      ].join("\n"),
    );
    writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ app: `"${process.execPath}" main.js` }));
    const ran = await diff(["--stack", "a", "--stack", "b"]);
    expect({ code: ran.code, err: ran.err }).toEqual({ code: 0, err: "" });
    expect(ran.out).toContain("      ~ task_settings.top_n = 5 -> 10\n");
    expect(readFileSync(join(dir, "synth-runs"), "utf8")).toBe("x");
  });
});

describe("--live: each side as its cluster holds it", () => {
  let prodCluster: Emulator;
  beforeAll(async () => {
    prodCluster = await startEmulator({ esVersion: "9.1.3" });
  });
  afterAll(() => prodCluster.stop());
  beforeEach(() => prodCluster.reset());

  test("one GET /_inference/_all per cluster; secrets not compared; a declared endpoint the cluster lacks is named", async () => {
    stagingAndProd(cli.emu.url, prodCluster.url);
    for (const [file, cluster] of [
      ["staging.json", cli.emu],
      ["prod.json", prodCluster],
    ] as const) {
      const applied = await cli.run(["apply", "-f", file, "--auto-approve"], { env });
      expect({ file, code: applied.code, err: applied.err }).toEqual({ file, code: 0, err: "" });
      cluster.requests.clear();
    }
    await fetch(`${prodCluster.url}/_inference/search-legacy`, { method: "DELETE" });
    prodCluster.requests.clear();

    const { code, out } = await diff(["staging.json", "prod.json", "--live"]);
    expect(code).toBe(0);
    for (const cluster of [cli.emu, prodCluster])
      expect(cluster.requests.list().map((r) => `${r.method} ${r.path}`)).toEqual(["GET /_inference/_all"]);
    expect(out).toContain("each side as its cluster holds it");
    expect(out).toContain('      ~ service_settings.model_id = "text-embedding-3-small" -> "text-embedding-3-large"\n');
    expect(out).not.toContain("api_key");
    expect(out).not.toContain("search-legacy (");
    expect(lines(out).slice(-2)).toEqual([
      "Note: Secrets are not compared: Elasticsearch never returns them.",
      "Note: prod declares an endpoint its cluster does not hold: search-legacy.",
    ]);
  });

  test("a cluster that cannot be reached: the error names its stack", async () => {
    stagingAndProd(cli.emu.url, "http://127.0.0.1:9");
    const { code, err } = await diff(["staging.json", "prod.json", "--live"]);
    expect(code).toBe(1);
    expect(err).toMatch(/^Error: reading the endpoints of stack prod from http:\/\/127\.0\.0\.1:9: /);
  });
});

test.each([
  [["one.json"], "got 1 manifest"],
  [["a.json", "b.json", "c.json"], "got 3 manifests"],
  [["a.json", "--stack", "prod"], "got 1 manifest and 1 --stack"],
  [[], "got neither"],
])("esinfer diff %j: a usage error saying what it compares", async (argv, got) => {
  const { code, err } = await diff(argv);
  expect(code).toBe(1);
  expect(err).toBe(
    "esinfer: esinfer diff compares two stacks: two manifests (esinfer diff staging.json prod.json) or two " +
      `synthesized stacks of the app (esinfer diff --stack staging --stack prod); ${got}\n`,
  );
});

test("usage errors: the same stack twice, an unknown format, an unreadable manifest", async () => {
  expect((await diff(["--stack", "prod", "--stack", "prod"])).err).toBe(
    "esinfer: --stack prod twice: name two different stacks\n",
  );
  stagingAndProd();
  expect((await diff(["staging.json", "prod.json", "--format", "xml"])).err).toBe(
    "esinfer: --format xml: choose human, json or markdown\n",
  );
  const missing = await diff(["staging.json", "nope.json"]);
  expect(missing.code).toBe(1);
  expect(missing.err).toMatch(/nope\.json: no such file/);
});
