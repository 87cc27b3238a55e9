/**
 * The catalogue against the reference catalogue (test/fixtures/services.json, vendored from
 * shared/reference/services.json): every service, task type, settings field (type, required, enum, secret,
 * server-only), default rate limit, chunking applicability and first version, compared mechanically.
 *
 * Server facts win over spec facts (`required_server`, `server_enum`, `server_cross_check`), as the reference's
 * README says. Where the catalogue deviates on purpose, `ALLOWED` names the divergence and says why; an entry that
 * no longer matches a divergence fails the suite, so the list cannot go stale.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import {
  SERVICE_NAMES,
  compareVersions,
  getService,
  getTaskSpec,
  infoOf,
  parseVersion,
  taskSince,
  taskTypesOf,
  type Since,
} from "../../lib/catalogue";
import { unwrap } from "../../lib/model/schema-walk";

// ---- the reference's shape (only what is compared) -------------------------------------------------------------

interface RefField {
  type: "string" | "integer" | "number" | "boolean" | "object" | "array";
  required?: boolean;
  required_server?: boolean | "conditional";
  conditional_required?: string;
  secret?: boolean;
  enum?: Array<string | number>;
  server_enum?: string[];
  allowed_values_documented?: string[] | Record<string, string[]>;
  applies_to_task_types?: string[];
  default?: unknown;
  range?: string;
  in_spec?: boolean;
  items?: { type: string };
  properties?: Record<string, RefField>;
  additional_properties?: { type: string | string[] };
}

interface RefService {
  task_types: string[];
  availability?: string[];
  deprecated?: string;
  secret_fields: string[];
  service_settings: Record<string, RefField>;
  task_settings: Record<string, Record<string, RefField>>;
  chunking_settings: { accepted: boolean; applies_to_task_types: string[] };
  rate_limit_default_rpm?: number;
  rate_limit_default_rpm_by_task_type?: Record<string, number>;
  server_cross_check?: { additional_task_types_in_server?: string[] };
}

const FIXTURE = join(__dirname, "..", "fixtures", "services.json");
const reference = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown>;
const REF_SERVICES = Object.keys(reference).filter((k) => !k.startsWith("_"));
const ref = (service: string) => reference[service] as RefService;

// ---- deliberate deviations -------------------------------------------------------------------------------------

/** Divergence key -> why the catalogue differs from services.json on purpose (server behavior first). */
const ALLOWED: Record<string, string> = {
  "amazonbedrock text_embedding task_settings.truncate: not in services.json":
    "#126493 (8.19 / 9.1): AmazonBedrockEmbeddingsTaskSettings reads truncate (cohere provider only)",
  "googlevertexai text_embedding task_settings.input_type: not in services.json":
    "GoogleVertexAiEmbeddingsTaskSettings.INPUT_TYPE",
  // AlibabaCloud AI Search settings the server parses (AlibabaCloudSearchServiceSettings.HTTP_SCHEMA_NAME, the
  // embeddings' max_input_tokens) and its _update applies (#142738); services.json predates them.
  ...Object.fromEntries(
    ["completion", "rerank", "sparse_embedding", "text_embedding"].map((t) => [
      `alibabacloud-ai-search ${t} service_settings.http_schema: not in services.json`,
      "AlibabaCloudSearchServiceSettings reads http_schema",
    ]),
  ),
  "alibabacloud-ai-search text_embedding service_settings.max_input_tokens: not in services.json":
    "AlibabaCloudSearchEmbeddingsServiceSettings reads max_input_tokens",
  ...Object.fromEntries(
    ["chat_completion", "completion"].map((t) => [
      `groq ${t} service_settings.organization_id: not in services.json`,
      "GroqChatCompletionServiceSettings reads organization_id (#146981)",
    ]),
  ),
  ...Object.fromEntries(
    ["text_embedding", "sparse_embedding", "rerank", "completion"].flatMap((t) =>
      ["max_input_tokens", "rate_limit"].map((f) => [
        `custom ${t} service_settings.${f}: not in services.json`,
        "CustomServiceSettings reads it (#146242)",
      ]),
    ),
  ),
  // Bedrock: the spec marks provider optional, but the server's AmazonBedrockServiceSettings reads it with
  // extractRequiredEnum (the catalogue's note; services.json records no required_server for it). Every spec example
  // sets it, and without it the provider/task-type check cannot run.
  ...Object.fromEntries(
    ["chat_completion", "completion", "text_embedding"].map((t) => [
      `amazonbedrock ${t} service_settings.provider: catalogue requires it`,
      "AmazonBedrockServiceSettings: extractRequiredEnum(provider)",
    ]),
  ),
  // Bedrock provider documentation lists amazontitan for text_embedding and completion only, but the spec's own
  // PutAmazonBedrockRequestExample3 creates an amazontitan chat_completion endpoint, and services.md does not list
  // it as a glitch. The example wins: it must validate (inferred: chat_completion follows completion's providers).
  "amazonbedrock service_settings.provider: amazontitan serves chat_completion":
    "spec example PutAmazonBedrockRequestExample3 uses amazontitan for chat_completion",
  // OpenAI embedding (9.4): §5 of elasticsearch-inference-api.md says chunking is parsed for embedding too on
  // services that chunk; the put_openai body doc still says text_embedding only (written before embedding existed).
  "openai embedding chunking: catalogue accepts, services.json does not": "server parses chunking for embedding (9.4+)",
  // EIS rejects rate_limit in request context (RateLimitSettings.rejectRateLimitFieldForRequestContext); GET still
  // renders it, so the catalogue lists it as read-only instead of as a declarable setting.
  ...Object.fromEntries(
    ["sparse_embedding", "text_embedding", "embedding", "rerank", "completion", "chat_completion"].map((t) => [
      `elastic ${t} service_settings.rate_limit: missing`,
      "EIS rejects rate_limit on create (read-only in GET)",
    ]),
  ),
  "elastic chat_completion rate_limit: default 240 expected, catalogue has no rate_limit":
    "EIS rejects rate_limit on create; the historical 240 rpm default is not declarable",
  // EIS is not in the current spec (no availability line); §6 dates the elastic service to 8.18/9.0.
  "elastic since: no availability in services.json": "§6: EIS elastic service from 8.18/9.0",
};

/**
 * Services the catalogue has and services.json does not (it predates them), with the upstream source the catalogue
 * follows instead. Compared field by field once the reference lists them: the entry must then go.
 */
const NOT_IN_REFERENCE: Record<string, string> = {
  tencentcloud:
    "elastic/elasticsearch #152829 (main, July 2026): TencentCloudService and its settings classes; the reference's README lists it as newer than services.json",
};

// ---- probing a zod schema --------------------------------------------------------------------------------------

const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
const sameSet = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && [...a].map(String).sort().join("\u0000") === [...b].map(String).sort().join("\u0000");
const enumOf = (schema: z.ZodType | undefined) =>
  schema instanceof z.ZodEnum ? (schema.options as string[]) : undefined;

/** A value of the reference type, for probing that the catalogue accepts it. */
function sampleOf(type: string, field?: RefField): unknown {
  switch (type) {
    case "string":
      return "x";
    case "integer":
      return field?.range ? Number(field.range.split("-")[0]) : 2;
    case "number":
      return 0.5;
    case "boolean":
      return true;
    case "array":
      return field?.items?.type === "array" ? [["k", "v"]] : ["x"];
    default:
      return undefined;
  }
}

/** Divergences between a reference field and the catalogue schema for it. `at` prefixes each message. */
function fieldDivergences(at: string, f: RefField, schema: z.ZodType, scope: "service" | "task"): string[] {
  const out: string[] = [];
  const facts = infoOf(schema);
  const inner = unwrap(schema)!;
  const optional = accepts(schema, undefined);

  // required: the server's word first; "conditional" means a cross-field rule decides, so the schema is optional.
  const required =
    f.required_server === "conditional" || f.conditional_required !== undefined
      ? false
      : (f.required_server ?? f.required ?? false);
  if (required === optional) out.push(`${at}: catalogue ${optional ? "makes it optional" : "requires it"}`);

  // server-only fields are marked, so docs and messages can say the spec leaves them out
  if ((f.in_spec === false) !== (facts.serverOnly === true)) out.push(`${at}: serverOnly ${f.in_spec === false}`);

  // secret
  if ((f.secret ?? false) !== (facts.secret ?? false)) out.push(`${at}: secret ${f.secret ?? false}`);
  if (f.secret) {
    // Secrets are declared as references; the literal form is reported by the validator with advice.
    if (!accepts(inner, f.type === "object" ? { k: { env: "K" } } : { env: "K" }))
      out.push(`${at}: does not take a secret reference`);
    return out;
  }

  // enums: the server's list when it has one
  const values = f.server_enum ?? f.enum;
  const catalogueEnum = enumOf(inner);
  if (values) {
    if (!catalogueEnum || !sameSet(values, catalogueEnum))
      out.push(`${at}: enum ${JSON.stringify(values)}, catalogue ${JSON.stringify(catalogueEnum ?? "not an enum")}`);
  } else if (Array.isArray(f.allowed_values_documented) && catalogueEnum) {
    // Values listed only in prose: a free string is fine, an enum must list exactly them.
    if (!sameSet(f.allowed_values_documented, catalogueEnum))
      out.push(`${at}: documented values ${JSON.stringify(f.allowed_values_documented)}, catalogue enum differs`);
  } else if (catalogueEnum) {
    out.push(`${at}: catalogue enum ${JSON.stringify(catalogueEnum)} where services.json has a free ${f.type}`);
  }

  // type, probed by behavior rather than zod internals
  if (!values && !catalogueEnum) {
    const sample = sampleOf(f.type, f);
    switch (f.type) {
      case "object":
        out.push(...objectDivergences(at, f, inner, scope));
        break;
      case "integer":
        if (!accepts(inner, sample) || accepts(inner, 2.5) || accepts(inner, "2")) out.push(`${at}: not an integer`);
        break;
      case "number":
        if (!accepts(inner, sample) || accepts(inner, "0.5")) out.push(`${at}: not a number`);
        break;
      case "boolean":
        if (!accepts(inner, sample) || accepts(inner, "true")) out.push(`${at}: not a boolean`);
        break;
      case "string":
        if (!accepts(inner, sample) || accepts(inner, 1)) out.push(`${at}: not a string`);
        break;
      case "array":
        if (!accepts(inner, sample) || accepts(inner, "x")) out.push(`${at}: not an array of ${f.items?.type}`);
        break;
    }
  }

  // ranges documented as "min-max"
  if (f.range) {
    const [min, max] = f.range.split("-").map(Number) as [number, number];
    if (!accepts(inner, min) || !accepts(inner, max) || accepts(inner, min - 0.1) || accepts(inner, max + 0.1))
      out.push(`${at}: range ${f.range} not enforced`);
  }

  // Fixed server defaults of service settings are stored (§2), so the canonical form makes them explicit; a
  // catalogue may instead call the value "computed" (ignored unless declared). Task settings are never filled in
  // by the server (§2), so their documented defaults are not compared.
  if (scope === "service" && f.default !== undefined && facts.serverDefault !== "computed") {
    if (JSON.stringify(facts.serverDefault) !== JSON.stringify(f.default))
      out.push(`${at}: default ${JSON.stringify(f.default)}, catalogue ${JSON.stringify(facts.serverDefault)}`);
  }
  return out;
}

function objectDivergences(at: string, f: RefField, inner: z.ZodType, scope: "service" | "task"): string[] {
  if (f.properties) {
    if (!(inner instanceof z.ZodObject)) return [`${at}: not an object with fixed keys`];
    const shape = inner.shape as Record<string, z.ZodType>;
    const out = keyDivergences(at, Object.keys(f.properties), Object.keys(shape));
    for (const [key, sub] of Object.entries(f.properties))
      if (shape[key]) {
        // Nested keys carry only type/required/enum. Their defaults are not compared: the canonical form fills in
        // top-level defaults only (a nested default such as adaptive_allocations.enabled=false is implied).
        out.push(
          ...fieldDivergences(
            `${at}.${key}`,
            { ...sub, required: sub.required ?? false, default: undefined },
            shape[key],
            scope,
          ),
        );
      }
    return out;
  }
  if (f.additional_properties) {
    const types = ([] as string[]).concat(f.additional_properties.type);
    const bad = types.filter((t) => !accepts(inner, { "Any-Key": sampleOf(t) }));
    if (bad.length) return [`${at}: map values of type ${bad.join(", ")} rejected`];
    return accepts(inner, { k: [] }) ? [`${at}: map accepts array values`] : [];
  }
  return accepts(inner, {}) ? [] : [`${at}: not an object`];
}

function keyDivergences(at: string, expected: string[], actual: string[]): string[] {
  return [
    ...expected.filter((k) => !actual.includes(k)).map((k) => `${at}.${k}: missing`),
    ...actual.filter((k) => !expected.includes(k)).map((k) => `${at}.${k}: not in services.json`),
  ];
}

const sinceOf = (availability: string[] | undefined) =>
  availability?.map((a) => /^stack since=(\S+)/.exec(a)?.[1]).find((v): v is string => v !== undefined);

/** Whether the catalogue's `since` names the reference's first version (for its major line). */
function sameSince(catalogue: Since, spec: string): boolean {
  const lines = typeof catalogue === "string" ? [catalogue] : [...catalogue];
  const major = parseVersion(spec).major;
  const line = lines.find((l) => parseVersion(l).major === major);
  return line !== undefined && compareVersions(line, spec) === 0;
}

/** Every divergence of one service, as stable keys. */
function divergences(service: string): string[] {
  const r = ref(service);
  const spec = getService(service);
  if (!spec) return [`${service}: missing from the catalogue`];
  const out: string[] = [];

  // task types: the spec's list plus the server's additions
  const extra = r.server_cross_check?.additional_task_types_in_server ?? [];
  const expectedTasks = [...new Set([...r.task_types, ...extra])];
  out.push(...keyDivergences(`${service} task_types`, expectedTasks, taskTypesOf(service)));

  const since = sinceOf(r.availability);
  if (since === undefined) out.push(`${service} since: no availability in services.json`);
  else if (!sameSince(spec.since, since))
    out.push(`${service} since: ${since}, catalogue ${JSON.stringify(spec.since)}`);
  if (Boolean(r.deprecated) !== Boolean(spec.deprecated)) out.push(`${service} deprecated: ${Boolean(r.deprecated)}`);

  const catalogueSecrets = new Set<string>();
  for (const t of expectedTasks) {
    const task = getTaskSpec(service, t);
    if (!task) continue;
    const at = `${service} ${t}`;
    if (task.serverOnly !== (extra.includes(t) && !r.task_types.includes(t) ? true : undefined))
      out.push(`${at}: serverOnly ${extra.includes(t)}`);

    // service_settings: fields without applies_to_task_types apply to every task type
    const ss = task.serviceSettings.shape as Record<string, z.ZodType>;
    const expected = Object.entries(r.service_settings).filter(
      ([, f]) => !f.applies_to_task_types || f.applies_to_task_types.includes(t),
    );
    out.push(
      ...keyDivergences(
        `${at} service_settings`,
        expected.map(([k]) => k),
        Object.keys(ss),
      ),
    );
    for (const [key, f] of expected)
      if (ss[key]) out.push(...fieldDivergences(`${at} service_settings.${key}`, f, ss[key], "service"));
    for (const [key, s] of Object.entries(ss)) if (infoOf(s).secret) catalogueSecrets.add(key);

    // task_settings per task type
    const ts = task.taskSettings.shape as Record<string, z.ZodType>;
    const expectedTs = r.task_settings[t] ?? {};
    out.push(...keyDivergences(`${at} task_settings`, Object.keys(expectedTs), Object.keys(ts)));
    for (const [key, f] of Object.entries(expectedTs))
      if (ts[key]) out.push(...fieldDivergences(`${at} task_settings.${key}`, f, ts[key], "task"));

    // default requests per minute, per task type
    const rpm = r.rate_limit_default_rpm_by_task_type?.[t] ?? r.rate_limit_default_rpm;
    if (ss.rate_limit) {
      const actual = (infoOf(ss.rate_limit).serverDefault as { requests_per_minute?: number } | undefined)
        ?.requests_per_minute;
      if (actual !== rpm) out.push(`${at} rate_limit: default ${rpm}, catalogue ${actual}`);
    } else if (rpm !== undefined) out.push(`${at} rate_limit: default ${rpm} expected, catalogue has no rate_limit`);

    // chunking only where the service chunks this task type
    const chunks = r.chunking_settings.accepted && r.chunking_settings.applies_to_task_types.includes(t);
    if (chunks !== task.chunking)
      out.push(`${at} chunking: catalogue ${task.chunking ? "accepts" : "rejects"}, services.json does not`);
  }
  out.push(...keyDivergences(`${service} secret_fields`, r.secret_fields, [...catalogueSecrets]));
  return out;
}

// ---- the checks ----------------------------------------------------------------------------------------------

test("the catalogue has exactly the services of services.json, and those it names as newer", () => {
  expect([...SERVICE_NAMES].sort()).toEqual([...REF_SERVICES, ...Object.keys(NOT_IN_REFERENCE)].sort());
});

test("a service named as newer than services.json is still absent from it (the list does not go stale)", () => {
  expect(Object.keys(NOT_IN_REFERENCE).filter((s) => REF_SERVICES.includes(s))).toEqual([]);
});

test("server additions to the spec's task types are in the catalogue and marked server-only", () => {
  // The reference names them in server_cross_check; the brief calls out these three.
  expect(getTaskSpec("hugging_face", "sparse_embedding")?.serverOnly).toBe(true);
  expect(getTaskSpec("groq", "completion")?.serverOnly).toBe(true);
  expect(taskTypesOf("watsonxai")).toContain("rerank");
});

describe.each(REF_SERVICES)("%s", (service) => {
  test("matches services.json, apart from the allowed deviations", () => {
    const found = divergences(service);
    expect(found.filter((d) => !(d in ALLOWED))).toEqual([]);
  });
});

test("every allowed deviation still exists (the allow-list does not go stale)", () => {
  const found = new Set(REF_SERVICES.flatMap(divergences).concat(providerDivergences()));
  expect(Object.keys(ALLOWED).filter((k) => !found.has(k))).toEqual([]);
});

/** Provider/task-type tables against the reference's provider_task_types. */
function providerDivergences(): string[] {
  const out: string[] = [];
  for (const service of ["amazonbedrock", "azureaistudio"]) {
    const doc = (
      ref(service).service_settings.provider as RefField & {
        provider_task_types: Record<string, string[]>;
      }
    ).provider_task_types;
    for (const t of taskTypesOf(service)) {
      const input = (provider: string) => ({
        task_type: t,
        service_settings: { provider },
        task_settings: {},
      });
      const rules = getTaskSpec(service, t)!.rules;
      for (const [provider, tasks] of Object.entries(doc)) {
        const accepted = rules.every((r) =>
          r.check(input(provider)).every((i) => i.path !== "service_settings.provider"),
        );
        if (accepted !== tasks.includes(t))
          out.push(`${service} service_settings.provider: ${provider} ${accepted ? "serves" : "does not serve"} ${t}`);
      }
    }
  }
  return out;
}

test("provider/task-type tables follow the documented capabilities", () => {
  expect(providerDivergences().filter((d) => !(d in ALLOWED))).toEqual([]);
});

test("task types are not older than the task type itself or the service", () => {
  const problems: string[] = [];
  for (const service of SERVICE_NAMES)
    for (const t of taskTypesOf(service)) {
      const since = taskSince(service, t)!;
      const first = (typeof since === "string" ? [since] : [...since])[0]!;
      const serviceFirst = [getService(service)!.since].flat()[0]!;
      if (compareVersions(first, serviceFirst) < 0) problems.push(`${service} ${t}: before the service`);
      // chat_completion arrived with the unified chat API in 8.18 (terraform-provider-peer.md: "the openai
      // chat_completion task type ... needs >= 8.18"); embedding in 9.4 (elasticsearch-inference-api.md §1, §6).
      if (t === "chat_completion" && compareVersions(first, "8.18.0") < 0) problems.push(`${service} ${t}: ${first}`);
      if (t === "embedding" && compareVersions(first, "9.4.0") < 0) problems.push(`${service} ${t}: ${first}`);
    }
  expect(problems).toEqual([]);
});

test("fields the server fills in by itself are marked (elasticsearch-inference-api.md §2)", () => {
  // Embeddings: dimensions (detected by the validation call), similarity (service default) and the element or
  // embedding type. In-cluster models: threads, model, deployment and the allocations. Either a fixed default or
  // "computed" keeps an undeclared live value from reading as drift.
  const filled: Record<string, readonly string[]> = {
    text_embedding: ["dimensions", "similarity", "embedding_type", "element_type"],
    embedding: ["dimensions", "similarity", "embedding_type", "element_type"],
  };
  const inCluster = ["num_threads", "model_id", "deployment_id", "num_allocations", "adaptive_allocations"];
  const unmarked: string[] = [];
  for (const service of SERVICE_NAMES)
    for (const t of taskTypesOf(service)) {
      const shape = getTaskSpec(service, t)!.serviceSettings.shape as Record<string, z.ZodType>;
      const keys = ["elasticsearch", "elser"].includes(service) ? inCluster : (filled[t] ?? []);
      for (const key of keys)
        // A required field is always declared, so what the server would fill in does not matter.
        if (shape[key] && accepts(shape[key], undefined) && infoOf(shape[key]).serverDefault === undefined)
          unmarked.push(`${service} ${t} ${key}`);
    }
  expect(unmarked).toEqual([]);
});

test.each<[string, (r: RefService) => void, string]>([
  [
    "a field the catalogue lacks",
    (r) => (r.service_settings.made_up_field = { type: "string", required: true, secret: false }),
    "openai completion service_settings.made_up_field: missing",
  ],
  [
    "a type change",
    (r) => (r.service_settings.organization_id!.type = "integer"),
    "openai completion service_settings.organization_id: not an integer",
  ],
  [
    "a required flag",
    (r) => (r.service_settings.organization_id!.required_server = true),
    "openai completion service_settings.organization_id: catalogue makes it optional",
  ],
  [
    "a secret flag",
    (r) => (r.service_settings.organization_id!.secret = true),
    "openai completion service_settings.organization_id: secret true",
  ],
  [
    "an enum value",
    (r) => (r.service_settings.similarity!.enum = ["cosine", "dot_product"]),
    'openai text_embedding service_settings.similarity: enum ["cosine","dot_product"], catalogue ["cosine","dot_product","l2_norm"]',
  ],
  [
    "a rate limit",
    (r) => (r.rate_limit_default_rpm_by_task_type!.completion = 501),
    "openai completion rate_limit: default 501, catalogue 500",
  ],
  [
    "chunking applicability",
    (r) => (r.chunking_settings.applies_to_task_types = []),
    "openai text_embedding chunking: catalogue accepts, services.json does not",
  ],
  ["a task type", (r) => r.task_types.push("rerank"), "openai task_types.rerank: missing"],
])("the checker reports %s", (_name, mutate, expected) => {
  // Guards against a comparison that silently passes: each mutation of the reference must be reported.
  const original = structuredClone(reference.openai);
  try {
    mutate(ref("openai"));
    expect(divergences("openai")).toContain(expected);
  } finally {
    reference.openai = original;
  }
  expect(divergences("openai").filter((d) => !(d in ALLOWED))).toEqual([]);
});

const SHARED = join(__dirname, "..", "..", "..", "shared", "reference", "services.json");
// In a clean checkout ../shared does not exist; where it does, the vendored copy must be the same document.
(existsSync(SHARED) ? test : test.skip)("the vendored services.json is the shared reference", () => {
  expect(JSON.parse(readFileSync(FIXTURE, "utf8"))).toEqual(JSON.parse(readFileSync(SHARED, "utf8")));
});
