import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../lib/cli/main";
import { captureIo } from "../helpers/io";
import { minimalRequest } from "../helpers/minimal";
import { tempDir } from "../helpers/temp";

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
  expect(io.err()).toContain("missing required argument 'file'");
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
