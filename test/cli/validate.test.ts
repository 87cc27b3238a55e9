import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, TerraformStack } from "cdktf";
import { main } from "../../lib/cli/main";
import { ElasticsearchCluster, InferenceEndpoint, PROJECT_DIR_CONTEXT } from "../../lib/constructs";
import { secret } from "../../lib/model";
import { elser as elserRequest } from "../helpers/endpoints";
import { captureIo } from "../helpers/io";
import { minimalRequest } from "../helpers/minimal";
import { tempDir } from "../helpers/temp";

const lines = (text: string) => text.replace(/\n$/, "").split("\n");

const dir = tempDir("esinfer-validate-");
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
};
const CANARY = "sk-CANARY-5be1-never-print";

test("valid endpoints: exit 0 and a one-line summary", async () => {
  const io = captureIo();
  const path = file("ok.json", [
    minimalRequest("openai", "text_embedding"),
    minimalRequest("elasticsearch", "sparse_embedding"),
  ]);
  expect(await main(["validate", path], io)).toBe(0);
  expect(io.out()).toBe(
    "✓ 2 endpoints valid: openai-text-embedding (openai text_embedding), elasticsearch-sparse-embedding (elasticsearch sparse_embedding)\n",
  );
  expect(io.err()).toBe("");
});

test("a single endpoint object, from stdin, with a literal secret as in a request body", async () => {
  const request = {
    ...minimalRequest("cohere", "rerank"),
    service_settings: { model_id: "rerank-v3.5", api_key: CANARY },
  };
  const io = captureIo({ stdin: JSON.stringify(request) });
  expect(await main(["validate", "-"], io)).toBe(0);
  expect(io.out()).toContain("1 endpoint valid: cohere-rerank (cohere rerank)");
  expect(io.out() + io.err()).not.toContain(CANARY);
});

test("invalid endpoints: exit 1 with every problem, never the secret", async () => {
  const bad = [
    {
      ...minimalRequest("openai", "text_embedding"),
      inference_id: "Bad Id",
      service_settings: { api_key: CANARY, modle_id: "x" },
    },
    minimalRequest("cohere", "rerank"),
    { ...minimalRequest("cohere", "rerank"), inference_id: "rerank-2", service: "cohre" },
  ];
  const io = captureIo();
  expect(await main(["validate", file("bad.json", bad)], io)).toBe(1);
  const lines = io.err().trim().split("\n");
  expect(lines).toEqual([
    expect.stringMatching(/^✗ Bad Id: inference_id: must be lowercase.*did you mean "bad-id"\?$/),
    "✗ Bad Id: service_settings.model_id: is required (the name of the model to use for the inference task) (allowed: a non-empty string)",
    '✗ Bad Id: service_settings.modle_id: is not a service setting of openai text_embedding; did you mean "model_id"? (allowed: api_key, client_id, client_secret, model_id, organization_id, scopes, token_url, url, dimensions, rate_limit, similarity, max_input_tokens)',
    expect.stringMatching(
      /^✗ rerank-2: service: is not an Elasticsearch inference service: "cohre"; did you mean "cohere"\?/,
    ),
    "4 problems in 2 of 3 endpoints",
  ]);
  expect(io.out()).toBe("");
  expect(io.err()).not.toContain(CANARY);
});

test("--json reports the same, machine-readably", async () => {
  const io = captureIo();
  const code = await main(
    ["validate", "--json", file("one.json", { ...minimalRequest("openai", "completion"), task_type: "rerank" })],
    io,
  );
  expect(code).toBe(1);
  const report = JSON.parse(io.out());
  expect(report).toMatchObject({
    valid: false,
    endpoints: [],
    issues: [{ endpoint: "openai-completion", path: "task_type", message: "openai does not support rerank" }],
  });
});

test("--es-version adds version checks", async () => {
  const io = captureIo();
  expect(
    await main(["validate", "--es-version", "9.1.0", file("fw.json", minimalRequest("fireworksai", "completion"))], io),
  ).toBe(1);
  expect(io.err()).toContain("fireworksai needs Elasticsearch 9.4.0 or later (target is 9.1.0)");
  const bad = captureIo();
  expect(
    await main(["validate", "--es-version", "nine", file("fw2.json", minimalRequest("openai", "completion"))], bad),
  ).toBe(1);
  expect(bad.err()).toContain("--es-version: not an Elasticsearch version");
});

test.each([
  ["a missing file", () => join(dir, "missing.json"), /cannot read .*missing\.json: no such file/],
  [
    "not JSON",
    () => file("broken.json", '{\n  "inference_id": "x",\n  oops\n}'),
    /broken\.json is not valid JSON: .* at line 3, column 3/,
  ],
  ["an empty file", () => file("empty.json", ""), /empty\.json is not valid JSON: it is empty/],
  ["an empty array", () => file("none.json", []), /holds an empty array: nothing to validate/],
])("unreadable input (%s): exit 2 with a clear message", async (_name, path, message) => {
  const io = captureIo();
  expect(await main(["validate", path()], io)).toBe(2);
  expect(io.err()).toMatch(message);
});

test("usage errors: exit 1 with help hint", async () => {
  const io = captureIo();
  expect(await main(["validate"], io)).toBe(1);
  expect(io.err()).toContain("missing required argument 'input'");
  expect(await main(["frobnicate"], io)).toBe(1);
});

test("the installed bin answers --version and validate", () => {
  const bin = join(__dirname, "..", "..", "bin", "esinfer.js");
  expect(execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim()).toMatch(/^\d+\.\d+\.\d+$/);
  const out = execFileSync(
    process.execPath,
    [bin, "validate", file("bin.json", minimalRequest("mistral", "completion"))],
    { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } },
  );
  expect(out).toBe("✓ 1 endpoint valid: mistral-completion (mistral completion)\n");
});

// ---------------------------------------------------------------------------------------------------------------
// Stack manifests: the rules of `plan -f`

/** The manifest the README documents under "Manifests (without TypeScript)". */
function readmeManifest(): unknown {
  const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Manifests"));
  const block = /```json\n([\s\S]*?)\n```/.exec(section);
  return JSON.parse(block![1]!);
}

test("the README's manifest is valid", async () => {
  const io = captureIo();
  expect(await main(["validate", file("readme.json", readmeManifest())], io)).toBe(0);
  expect(io.out()).toBe(
    `✓ stack search-prod (${join(dir, "readme.json")}): 1 endpoint valid: search-embeddings (openai text_embedding); 1 declared absent\n`,
  );
  expect(io.err()).toBe("");
});

test("a manifest: every problem at once, as plan -f reports them; a literal secret is refused, never printed", async () => {
  const manifest = {
    stack: "search prod",
    cluster: { url: "https://es.example:9243", api_key: CANARY },
    endpoints: [
      { ...minimalRequest("openai", "text_embedding"), service_settings: { model_id: "m", api_key: CANARY } },
      minimalRequest("cohere", "rerank"),
    ],
    absent: ["cohere-rerank"],
    endpionts: [],
  };
  const io = captureIo();
  expect(await main(["validate", file("bad-manifest.json", manifest)], io)).toBe(1);
  const err = io.err();
  expect(err).not.toContain(CANARY);
  expect(lines(err)).toEqual([
    expect.stringMatching(/^✗ manifest: endpionts: is not a manifest field; did you mean "endpoints"\?/),
    expect.stringMatching(/^✗ manifest: stack: must be a name of letters, digits/),
    expect.stringMatching(/^✗ cluster: cluster\.api_key: is a literal credential, which esinfer never stores/),
    expect.stringMatching(/^✗ openai-text-embedding: service_settings\.api_key: .*literal/),
    "✗ cohere-rerank: absent[0]: is both declared and declared absent",
    `5 problems in stack search prod (${join(dir, "bad-manifest.json")})`,
  ]);
  expect(io.out()).toBe("");
});

test("a manifest without a stack name is reported as the manifest", async () => {
  const io = captureIo();
  const path = file("nameless.json", { endpoints: "all of them" });
  expect(await main(["validate", path], io)).toBe(1);
  expect(lines(io.err())).toEqual([
    expect.stringMatching(/^✗ manifest: stack: is required/),
    "✗ manifest: endpoints: must be an array of endpoints in request shape",
    `2 problems in the manifest (${path})`,
  ]);
});

test("the same manifest as plan -f: what validate accepts, plan -f reads; what it refuses, plan -f refuses", async () => {
  const good = file("good.json", { stack: "s", cluster: { url: "http://127.0.0.1:9" }, endpoints: [elserRequest()] });
  const bad = file("literal.json", {
    stack: "s",
    cluster: { url: "http://127.0.0.1:9" },
    endpoints: [{ ...minimalRequest("cohere", "rerank"), service_settings: { model_id: "m", api_key: CANARY } }],
  });
  expect(await main(["validate", good], captureIo())).toBe(0);
  const validated = captureIo();
  expect(await main(["validate", bad], validated)).toBe(1);
  const planned = captureIo();
  expect(await main(["plan", "-f", bad], planned)).toBe(1);
  // Both name the literal secret of the same endpoint and field.
  const problem = (text: string) => /cohere-rerank: service_settings\.api_key: [^\n]*/.exec(text)?.[0];
  expect(problem(validated.err())).toBeDefined();
  expect(problem(validated.err())).toBe(problem(planned.err()));
  expect(validated.err() + planned.err() + planned.out()).not.toContain(CANARY);
});

test("--es-version checks a manifest's endpoints against that version too, each problem once", async () => {
  const manifest = file("versioned.json", {
    stack: "s",
    endpoints: [minimalRequest("fireworksai", "completion"), { ...elserRequest(), inference_id: "Bad" }],
  });
  const io = captureIo();
  expect(await main(["validate", "--es-version", "9.1.0", manifest], io)).toBe(1);
  const problems = lines(io.err());
  expect(problems.filter((l) => l.includes("fireworksai needs Elasticsearch 9.4.0 or later"))).toHaveLength(1);
  expect(problems.filter((l) => l.startsWith("✗ Bad: inference_id: must be lowercase"))).toHaveLength(1);
  expect(problems.at(-1)).toBe(`2 problems in stack s (${join(dir, "versioned.json")})`);
  expect(await main(["validate", "--es-version", "9.4.0", manifest], captureIo())).toBe(1); // "Bad" remains
});

test("--json for a manifest: kind, the stack, its endpoints, issues with their stack", async () => {
  const io = captureIo();
  const path = file("json-manifest.json", { stack: "s", endpoints: [elserRequest()], cluster: { urll: "x" } });
  expect(await main(["validate", "--json", path], io)).toBe(1);
  expect(JSON.parse(io.out())).toEqual({
    valid: false,
    kind: "manifest",
    stacks: [{ name: "s", source: path, valid: false, endpoints: [], absent: [] }],
    endpoints: [],
    issues: [expect.objectContaining({ stack: "s", endpoint: "cluster", path: "cluster.urll" })],
    warnings: [],
  });
});

test("names are data: an own __proto__ key does not make an endpoint a manifest, and is reported as any unknown key", async () => {
  const io = captureIo();
  const text = `{"__proto__": {"stack": "x", "endpoints": []}, ${JSON.stringify(elserRequest()).slice(1)}`;
  expect(await main(["validate", file("proto.json", text)], io)).toBe(1);
  expect(io.err()).toMatch(/^✗ elser: __proto__: is not an endpoint field/m);
  const manifest = captureIo();
  const inherited = `{"stack": "s", "endpoints": [], "constructor": 1, "__proto__": {}}`;
  expect(await main(["validate", file("proto-manifest.json", inherited)], manifest)).toBe(1);
  expect(lines(manifest.err()).slice(0, 2)).toEqual([
    expect.stringMatching(/^✗ manifest: (constructor|__proto__): is not a manifest field/),
    expect.stringMatching(/^✗ manifest: (constructor|__proto__): is not a manifest field/),
  ]);
});

test("input that is not UTF-8 is unreadable (exit 2), naming the first bad byte", async () => {
  const path = join(dir, "latin1.json");
  writeFileSync(path, Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d])); // {"é":1} in Latin-1
  const io = captureIo();
  expect(await main(["validate", path], io)).toBe(2);
  expect(io.err()).toBe(`esinfer: ${path} is not valid UTF-8 text (first invalid byte at offset 2)\n`);
});

// ---------------------------------------------------------------------------------------------------------------
// Synthesized stacks

describe("synthesized stacks", () => {
  const project = tempDir("esinfer-validate-app-");
  const outdir = join(project, "cdktf.out");
  beforeAll(() => {
    const app = new App({ outdir, context: { [PROJECT_DIR_CONTEXT]: project } });
    for (const name of ["dev", "prod"]) {
      const stack = new TerraformStack(app, name);
      const cluster = new ElasticsearchCluster(stack, "cluster", { url: `https://${name}.example:9243` });
      new InferenceEndpoint(stack, "elser", {
        cluster,
        inferenceId: `${name}-elser`,
        service: "elasticsearch",
        taskType: "sparse_embedding",
        serviceSettings: { modelId: ".elser_model_2", numThreads: 1, numAllocations: 1 },
      });
      if (name === "prod")
        new InferenceEndpoint(stack, "completion", {
          cluster,
          inferenceId: "prod-completion",
          service: "fireworksai",
          taskType: "completion",
          serviceSettings: { modelId: "accounts/fireworks/models/x", apiKey: secret.env("FIREWORKS_API_KEY") },
        });
    }
    app.synth();
    writeFileSync(join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app: "false" }));
  });

  test("the output directory, the project directory or one stack's directory", async () => {
    const all = captureIo({ cwd: project });
    expect(await main(["validate", "cdktf.out"], all)).toBe(0);
    expect(lines(all.out())).toEqual([
      "✓ stack dev (cdktf.out/stacks/dev/cdk.tf.json): 1 endpoint valid: dev-elser (elasticsearch sparse_embedding)",
      "✓ stack prod (cdktf.out/stacks/prod/cdk.tf.json): 2 endpoints valid: prod-completion (fireworksai completion), prod-elser (elasticsearch sparse_embedding)",
    ]);
    const fromProject = captureIo({ cwd: project });
    expect(await main(["validate", "."], fromProject)).toBe(0);
    expect(fromProject.out()).toBe(all.out());
    const one = captureIo({ cwd: project });
    expect(await main(["validate", join(outdir, "stacks", "prod")], one)).toBe(0);
    expect(lines(one.out())).toEqual([all.out().split("\n")[1]]);
  });

  test("every stack's problems, each naming its stack; the valid ones still listed", async () => {
    const io = captureIo({ cwd: project });
    expect(await main(["validate", "--es-version", "9.1.0", "cdktf.out"], io)).toBe(1);
    expect(lines(io.out())).toEqual([expect.stringMatching(/^✓ stack dev /)]);
    expect(lines(io.err())).toEqual([
      expect.stringMatching(/^✗ \[prod\] prod-completion: service: fireworksai needs Elasticsearch 9\.4\.0 or later/),
      "1 problem in 1 of 2 stacks: prod",
    ]);
    const json = captureIo({ cwd: project });
    expect(await main(["validate", "--json", "--es-version", "9.1.0", "cdktf.out"], json)).toBe(1);
    expect(JSON.parse(json.out())).toMatchObject({
      valid: false,
      kind: "synthesized",
      stacks: [
        { name: "dev", valid: true, endpoints: [{ inference_id: "dev-elser" }] },
        { name: "prod", valid: false, endpoints: [] },
      ],
      issues: [{ stack: "prod", endpoint: "prod-completion", path: "service" }],
    });
  });

  test.each([
    ["an empty directory", () => tempDir("esinfer-empty-"), /a directory, but not CDK for Terraform output/],
    [
      "a project never synthesized",
      () => {
        const dir = tempDir("esinfer-unsynthesized-");
        writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ app: "false", output: "out" }));
        return dir;
      },
      /cannot read the CDK for Terraform manifest \(.*\/out\/manifest\.json\): no such file; synthesize the app first/,
    ],
    [
      "a project whose cdktf.json is broken",
      () => {
        const dir = tempDir("esinfer-broken-project-");
        writeFileSync(join(dir, "cdktf.json"), "{ app: ");
        return dir;
      },
      /cdktf\.json: not valid JSON/,
    ],
  ])("%s is unreadable: exit 2", async (_name, directory, message) => {
    const io = captureIo();
    expect(await main(["validate", directory()], io)).toBe(2);
    expect(io.err()).toMatch(/^esinfer: cannot validate /);
    expect(io.err()).toMatch(message);
  });
});
