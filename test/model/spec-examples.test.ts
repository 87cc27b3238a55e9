/**
 * Every create-endpoint request example of the Elasticsearch specification that the server accepts must validate;
 * the ones the server rejects must fail the way the server would.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatIssue, validateRequest } from "../../lib/model";

const DIR = join(__dirname, "..", "fixtures", "spec-examples");

interface Example {
  api: string;
  kind: string;
  method: string;
  path: string;
  body: Record<string, unknown> | null;
}

/** Examples Elasticsearch itself rejects (see services.md "Example glitches" and "Spec issues"). */
const SERVER_REJECTS: Record<string, { path: string; message: RegExp }> = {
  // The path says chat-completion; the server answers "Unknown task_type [chat-completion]".
  "inference.put_llama__PutLlamaRequestExample3.json": {
    path: "task_type",
    message: /is not a task type: "chat-completion"/,
  },
  // The specification omits api_key; the server's DefaultSecretSettings require it.
  "inference.put_voyageai__PutVoyageAIRequestExample1.json": {
    path: "service_settings.api_key",
    message: /^is required$/,
  },
  "inference.put_voyageai__PutVoyageAIRequestExample2.json": {
    path: "service_settings.api_key",
    message: /^is required$/,
  },
};

function requestOf(example: Example) {
  const m = /^\/_inference\/([^/]+)\/([^/]+)$/.exec(example.path)!;
  return { inference_id: m[2], task_type: m[1], ...example.body };
}

const examples = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((file) => ({ file, example: JSON.parse(readFileSync(join(DIR, file), "utf8")) as Example }))
  // Create-endpoint requests only (region policies are not endpoints).
  .filter(
    ({ example }) =>
      example.kind === "request" &&
      example.method === "PUT" &&
      example.body &&
      /^inference\.put(_|$)/.test(example.api) &&
      example.api !== "inference.put_region_policy",
  );

test("the fixtures hold the specification's create-endpoint examples", () => {
  // 101 create requests at spec commit 9d9b9a5 (GET and region-policy requests are not endpoints); pinned so an
  // example cannot silently drop out of the accepted set.
  expect(examples).toHaveLength(101);
  expect(examples.filter(({ file }) => !(file in SERVER_REJECTS))).toHaveLength(98);
});

test("glitches the server does not mind are accepted as written", () => {
  const load = (file: string) => JSON.parse(readFileSync(join(DIR, file), "utf8")) as Example;
  // The doubled "s" in the id is a typo, but a valid id.
  const vertex = validateRequest(
    requestOf(load("inference.put_googlevertexai__PutGoogleVertexAiRequestExample1.json")),
    {
      literalSecrets: "accept",
    },
  );
  expect(vertex.endpoint?.inference_id).toBe("google_vertex_ai_embeddingss");
  // The VoyageAI example's path id says openai-embeddings: a valid id; only the missing api_key is wrong.
  const voyage = validateRequest(requestOf(load("inference.put_voyageai__PutVoyageAIRequestExample1.json")), {
    literalSecrets: "accept",
  });
  expect(voyage.issues.map((i) => [i.endpoint, i.path])).toEqual([["openai-embeddings", "service_settings.api_key"]]);
});

describe.each(examples.filter(({ file }) => !(file in SERVER_REJECTS)))(
  "accepted by Elasticsearch: $file",
  ({ example }) => {
    test("validates (literal secrets accepted, as in a request body)", () => {
      const result = validateRequest(requestOf(example), { literalSecrets: "accept" });
      expect(result.issues.map(formatIssue)).toEqual([]);
      expect(result.endpoint?.service).toBe(example.body!.service);
    });
  },
);

describe.each(Object.entries(SERVER_REJECTS))("rejected by Elasticsearch: %s", (file, expected) => {
  test("fails with the specific problem", () => {
    const example = JSON.parse(readFileSync(join(DIR, file), "utf8")) as Example;
    const result = validateRequest(requestOf(example), { literalSecrets: "accept" });
    expect(result.endpoint).toBeUndefined();
    expect(result.issues).toContainEqual(
      expect.objectContaining({ path: expected.path, message: expect.stringMatching(expected.message) }),
    );
  });
});

test("the chat-completion typo gets a did-you-mean", () => {
  const example = JSON.parse(
    readFileSync(join(DIR, "inference.put_llama__PutLlamaRequestExample3.json"), "utf8"),
  ) as Example;
  const [issue] = validateRequest(requestOf(example), { literalSecrets: "accept" }).issues;
  expect(issue!.hint).toBe('did you mean "chat_completion"?');
});

test("spec examples with literal keys are rejected as manifests would be, naming how to reference them", () => {
  const example = JSON.parse(
    readFileSync(join(DIR, "inference.put_openai__PutOpenAiRequestExample1.json"), "utf8"),
  ) as Example;
  const result = validateRequest(requestOf(example));
  expect(result.issues).toEqual([
    expect.objectContaining({
      endpoint: "openai-embeddings",
      path: "service_settings.api_key",
      message: expect.stringContaining("is a literal secret"),
      allowed: '{"env": "OPENAI_API_KEY"} or {"file": "/path/to/openai_api_key"}',
    }),
  ]);
  expect(JSON.stringify(result)).not.toContain("OpenAI-API-Key");
});
