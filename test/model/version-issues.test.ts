/**
 * `versionIssues` (the plan's check against the cluster's version) says exactly what `validateRequest` with that
 * version adds to a declaration that is valid without one.
 */
import { validateRequest, versionIssues } from "../../lib/model";
import { ALL_PAIRS, minimalRequest } from "../helpers/minimal";

const VERSIONS = ["8.18.0", "8.19.4", "9.0.2", "9.1.3", "9.3.0", "9.4.0", "9.6.0"];

const extras: Record<string, unknown>[] = [
  // chunking strategies and the size cap that depend on the version
  {
    ...minimalRequest("openai", "text_embedding"),
    chunking_settings: { strategy: "recursive", max_chunk_size: 200, separator_group: "markdown" },
  },
  { ...minimalRequest("openai", "text_embedding"), chunking_settings: { strategy: "none" } },
  { ...minimalRequest("cohere", "text_embedding"), chunking_settings: { strategy: "sentence", max_chunk_size: 400 } },
  // a field newer than its service (OAuth client credentials on main only)
  {
    ...minimalRequest("openai", "completion"),
    service_settings: {
      model_id: "gpt-4o",
      client_id: "c",
      client_secret: { env: "S" },
      scopes: ["a"],
      token_url: "https://t",
    },
  },
];

test.each(VERSIONS)("at %s, for every service and task type", (version) => {
  for (const request of [...ALL_PAIRS.map(([s, t]) => minimalRequest(s, t)), ...extras]) {
    const plain = validateRequest(request);
    expect(plain.issues).toEqual([]);
    const withVersion = validateRequest(request, { esVersion: version }).issues;
    expect(versionIssues(plain.endpoint!, version)).toEqual(withVersion);
  }
});

test("it reports what the version lacks", () => {
  const old = versionIssues(validateRequest(extras[0]!).endpoint!, "8.18.0");
  expect(old.map((i) => i.path)).toEqual(["chunking_settings.strategy"]);
  const fireworks = versionIssues(validateRequest(minimalRequest("fireworksai", "completion")).endpoint!, "9.1.0");
  expect(fireworks[0]!.message).toContain("fireworksai needs Elasticsearch 9.4.0 or later (target is 9.1.0)");
});
