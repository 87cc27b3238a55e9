/**
 * Names are data: settings keys, enum-like values and declaration keys that happen to be names of JavaScript object
 * members (`__proto__`, `constructor`, `toString`, ...) behave exactly like any other unknown name.
 */
import {
  canonicalize,
  declarationToRequest,
  validateDeclaration,
  validateRequest,
  type ValidationIssue,
} from "../../lib/model";

const HOSTILE = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];
const PLAIN = "plain_unknown_name";

/** JSON text parsed, as esinfer reads manifests: `__proto__` becomes an own key, as any other. */
const parsed = (text: string): Record<string, unknown> => JSON.parse(text);

const embedding = (extra: { service?: string; task?: string; chunking?: string; top?: string; headers?: string }) =>
  parsed(`{
    "inference_id": "names",
    "task_type": "text_embedding",
    "service": "openai",
    "service_settings": { "model_id": "m", "api_key": { "env": "OPENAI_API_KEY" } ${extra.service ?? ""} },
    "task_settings": { "user": "u" ${extra.task ?? ""} ${extra.headers ?? ""} },
    "chunking_settings": { "strategy": "word", "max_chunk_size": 100, "overlap": 10 ${extra.chunking ?? ""} }
    ${extra.top ?? ""}
  }`);

/** The issues for a request built with `name`, the name replaced by a placeholder (to compare with a plain name). */
function issuesWith(name: string, build: (name: string) => unknown): ValidationIssue[] {
  // Without the did-you-mean: a name may legitimately be close to a setting (hasOwnProperty ~ max_input_tokens).
  return validateRequest(build(name)).issues.map(({ hint: _hint, ...issue }) =>
    JSON.parse(JSON.stringify(issue).split(name).join("NAME")),
  );
}

const places: [string, (name: string) => unknown][] = [
  ["a service setting", (n) => embedding({ service: `, "${n}": 1` })],
  ["a task setting", (n) => embedding({ task: `, "${n}": 1` })],
  ["a chunking setting", (n) => embedding({ chunking: `, "${n}": 1` })],
  ["an endpoint field", (n) => embedding({ top: `, "${n}": 1` })],
  ["a nested setting (rate_limit)", (n) => embedding({ service: `, "rate_limit": { "${n}": 1 }` })],
  ["the service", (n) => ({ ...embedding({}), service: n })],
  ["the task type", (n) => ({ ...embedding({}), task_type: n })],
  ["the chunking strategy", (n) => ({ ...embedding({}), chunking_settings: { strategy: n, max_chunk_size: 10 } })],
  [
    "a provider (a value the catalogue's rules look up)",
    (n) =>
      parsed(`{"inference_id": "b", "task_type": "completion", "service": "amazonbedrock", "service_settings": {
        "access_key": {"env": "A"}, "secret_key": {"env": "S"}, "region": "us-east-1", "provider": "${n}", "model": "m"}}`),
  ],
  [
    "a setting of another service's endpoint",
    (n) =>
      parsed(`{"inference_id": "c", "task_type": "rerank", "service": "cohere",
      "service_settings": {"api_key": {"env": "K"}, "${n}": true}}`),
  ],
];

describe.each(places)("as %s", (_place, build) => {
  const expected = issuesWith(PLAIN, build);

  test("the plain name is reported (the comparison is meaningful)", () => {
    expect(expected.length).toBeGreaterThan(0);
  });

  test.each(HOSTILE)("%s is reported as any other unknown name", (name) => {
    expect(issuesWith(name, build)).toEqual(expected);
  });
});

test.each(HOSTILE)("%s as a key of a free-form map (headers) is kept as a key", (name) => {
  const { endpoint, issues } = validateRequest(embedding({ headers: `, "headers": { "${name}": "v" }` }));
  expect(issues).toEqual([]);
  const headers = canonicalize(endpoint!).task_settings.headers as Record<string, unknown>;
  expect(Object.keys(headers)).toEqual([name]);
  expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
});

test.each(HOSTILE)("%s as a key of a camelCase declaration is converted and reported, not followed", (name) => {
  const declaration = {
    inferenceId: "names",
    service: "openai",
    taskType: "text_embedding",
    serviceSettings: JSON.parse(`{"modelId": "m", "apiKey": {"env": "K"}, "${name}": 1}`),
  };
  const request = declarationToRequest(declaration);
  expect(Object.getPrototypeOf(request)).toBe(Object.prototype);
  const result = validateDeclaration(declaration);
  expect(result.issues).toHaveLength(1);
  expect(result.issues[0]!.message).toBe("is not a service setting of openai text_embedding");
  // A top-level key of that name is an unknown endpoint field, not the object's prototype.
  const top = declarationToRequest(JSON.parse(`{"inferenceId": "names", "${name}": {"service": "openai"}}`));
  expect(Object.getPrototypeOf(top)).toBe(Object.prototype);
  expect(top.service).toBeUndefined();
});

test.each(HOSTILE.filter((n) => /^[a-z0-9]/.test(n)))("%s is a valid inference_id like any other", (name) => {
  const { endpoint, issues } = validateRequest({ ...embedding({}), inference_id: name.toLowerCase() });
  expect(issues).toEqual([]);
  expect(endpoint!.inference_id).toBe(name.toLowerCase());
});

test.each(HOSTILE)("a secret reference to the environment variable %s is a valid reference", (name) => {
  const { issues } = validateRequest(
    parsed(`{"inference_id": "e", "task_type": "completion", "service": "openai",
      "service_settings": {"model_id": "m", "api_key": {"env": "${name}"}}}`),
  );
  expect(issues).toEqual([]);
});

test.each(HOSTILE)("%s as a custom endpoint's parameter is a parameter like any other", (name) => {
  const { endpoint, issues } = validateRequest(
    parsed(`{"inference_id": "c", "task_type": "text_embedding", "service": "custom", "service_settings": {
      "request": "{}", "response": {"json_parser": {"text_embeddings": "$.x"}}, "secret_parameters": {"k": {"env": "K"}}},
      "task_settings": {"parameters": {"${name}": "x"}}}`),
  );
  expect(issues).toEqual([]);
  expect(Object.keys(endpoint!.task_settings.parameters as object)).toEqual([name]);
});
