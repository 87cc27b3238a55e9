/**
 * §1 routes and the REST layer: path forms, the task-type segment, query parameters per version (`timeout` on PUT
 * from 8.19/9.1, on `_update` from 9.5), body requirements, and the server's check order on create, update and
 * delete (the first failing check decides the error, so each case breaks two checks at once).
 */
import type { Emulator } from "../../lib/emulator";
import { errorOf, MAIN_VERSION, openaiEmbedding, raw, VERSIONS, useEmulatorPerVersion, type Version } from "./helpers";

const emulatorFor = useEmulatorPerVersion();

function fresh(v: Version): Emulator {
  const em = emulatorFor(v);
  em.reset();
  return em;
}

const emb = openaiEmbedding();
const invalidId = (id: string) =>
  `Validation Failed: 1: Invalid inference_id; '${id}' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric;`;
const unrecognized = (path: string, name: string) => ({
  status: 400,
  type: "illegal_argument_exception",
  reason: `request [${path}] contains unrecognized parameter: [${name}]`,
});
const hasPutTimeout = (v: Version) => v !== "8.18.0" && v !== "9.0.0";

describe.each(VERSIONS)("routes at %s", (v) => {
  it("parses the task-type segment trimmed and case-insensitively on every method", async () => {
    const em = fresh(v);
    expect((await raw(em, "PUT", "/_inference/TEXT_EMBEDDING/e1", emb)).json.task_type).toBe("text_embedding");
    expect((await raw(em, "GET", "/_inference/Text_Embedding/e1")).json.endpoints[0].inference_id).toBe("e1");
    expect((await raw(em, "POST", "/_inference/%20text_embedding%20/e1", { input: "x" })).status).toBe(200);
    const upd = await raw(em, "PUT", "/_inference/TEXT_EMBEDDING/e1/_update", { task_settings: { user: "u" } });
    expect(upd.json.task_settings).toEqual({ user: "u" });
    expect((await raw(em, "DELETE", "/_inference/tExT_eMbEdDiNg/e1")).json).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
  });

  it("reads one segment as an inference id, never as a task type", async () => {
    const em = fresh(v);
    expect(errorOf(await raw(em, "GET", "/_inference/text_embedding"))).toEqual({
      status: 404,
      type: "resource_not_found_exception",
      reason: "Inference endpoint not found [text_embedding]",
    });
  });

  it("answers an unknown task type in the path with 400 before any lookup, on every method", async () => {
    const em = fresh(v);
    const bad = { status: 400, type: "status_exception", reason: "Unknown task_type [nope]" };
    expect(errorOf(await raw(em, "GET", "/_inference/nope/missing"))).toEqual(bad);
    expect(errorOf(await raw(em, "DELETE", "/_inference/nope/missing"))).toEqual(bad);
    expect(errorOf(await raw(em, "POST", "/_inference/nope/missing", { input: "x" }))).toEqual(bad);
    expect(errorOf(await raw(em, "PUT", "/_inference/nope/missing/_update", { task_settings: {} }))).toEqual(bad);
  });

  it(`accepts the timeout parameter on create ${hasPutTimeout(v) ? "(8.19 / 9.1 and later)" : "only from 8.19 / 9.1: not here"}`, async () => {
    const em = fresh(v);
    const ok = await raw(em, "PUT", "/_inference/text_embedding/e1?timeout=30s", emb);
    // An old version does not even parse the value: a malformed one is still an unrecognized parameter.
    const malformed = await raw(em, "PUT", "/_inference/text_embedding/e2?timeout=soon", emb);
    if (hasPutTimeout(v)) {
      expect(ok.status).toBe(200);
      expect(errorOf(malformed)).toEqual({
        status: 400,
        type: "parse_exception",
        reason: "failed to parse setting [timeout] with value [soon] as a time value: unit is missing or unrecognized",
      });
    } else {
      expect(errorOf(ok)).toEqual(unrecognized("/_inference/text_embedding/e1", "timeout"));
      expect(errorOf(malformed)).toEqual(unrecognized("/_inference/text_embedding/e2", "timeout"));
    }
    // Nothing was created by a rejected request.
    expect((await raw(em, "GET", "/_inference/e2")).status).toBe(404);
  });

  it("accepts master_timeout on _update everywhere and timeout only from 9.5", async () => {
    const em = fresh(v);
    await raw(em, "PUT", "/_inference/text_embedding/e1", emb);
    const body = { task_settings: { user: "u" } };
    expect((await raw(em, "PUT", "/_inference/text_embedding/e1/_update?master_timeout=10s", body)).status).toBe(200);
    const withTimeout = await raw(em, "PUT", "/_inference/text_embedding/e1/_update?timeout=10s", body);
    if (v === MAIN_VERSION) expect(withTimeout.status).toBe(200);
    else expect(errorOf(withTimeout)).toEqual(unrecognized("/_inference/text_embedding/e1/_update", "timeout"));
  });

  it("rejects unknown parameters with the server's did-you-mean hint", async () => {
    const em = fresh(v);
    expect(errorOf(await raw(em, "DELETE", "/_inference/e1?forse=true"))).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "request [/_inference/e1] contains unrecognized parameter: [forse] -> did you mean [force]?",
    });
  });

  it("parses force and dry_run as strict booleans", async () => {
    const em = fresh(v);
    await raw(em, "PUT", "/_inference/text_embedding/e1", emb);
    expect(errorOf(await raw(em, "DELETE", "/_inference/e1?force=yes"))).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "Failed to parse value [yes] as only [true] or [false] are allowed.",
    });
    expect((await raw(em, "DELETE", "/_inference/e1?dry_run=false&force=false")).json).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
  });

  it("requires a body on create, update and perform inference", async () => {
    const em = fresh(v);
    await raw(em, "PUT", "/_inference/text_embedding/e1", emb);
    const required = { status: 400, type: "parse_exception", reason: "request body is required" };
    expect(errorOf(await raw(em, "PUT", "/_inference/text_embedding/e2"))).toEqual(required);
    expect(errorOf(await raw(em, "PUT", "/_inference/text_embedding/e1/_update"))).toEqual(required);
    expect(errorOf(await raw(em, "POST", "/_inference/e1"))).toEqual(required);
  });

  it("answers unknown paths and methods like the REST controller (plain error bodies)", async () => {
    const em = fresh(v);
    const noHandler = await raw(em, "GET", "/_inference/a/b/c");
    expect([noHandler.status, noHandler.json]).toEqual([
      400,
      { error: "no handler found for uri [/_inference/a/b/c] and method [GET]", status: 400 },
    ]);
    const badMethod = await raw(em, "PATCH", "/_inference/e1");
    expect(badMethod.status).toBe(405);
    expect(badMethod.json.error).toBe(
      "Incorrect HTTP method for uri [/_inference/e1] and method [PATCH], allowed: [GET, PUT, DELETE, POST]",
    );
    expect(badMethod.headers.get("allow")).toBe("GET,PUT,DELETE,POST");
  });

  it("GET / reports the version; every answer carries X-Elastic-Product: Elasticsearch", async () => {
    const em = fresh(v);
    const root = await raw(em, "GET", "/");
    expect(root.json.version.number).toBe(v);
    for (const res of [root, await raw(em, "GET", "/_inference/missing"), await raw(em, "GET", "/_inference/a/b/c")])
      expect(res.headers.get("x-elastic-product")).toBe("Elasticsearch");
  });
});

/** One request that breaks two checks; the one the server runs first names the error. */
interface OrderCase {
  readonly name: string;
  readonly setup?: readonly [method: string, path: string, body?: unknown][];
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly expected: { status: number; type: string; reason: string };
  readonly versions?: readonly Version[];
}

const inCluster = {
  service: "elasticsearch",
  service_settings: { model_id: "my-model", num_threads: 1, num_allocations: 1 },
};

const ORDER: readonly OrderCase[] = [
  {
    name: "path task type (REST layer) before id validation",
    method: "PUT",
    path: "/_inference/bad/Bad-Id",
    body: emb,
    expected: { status: 400, type: "status_exception", reason: "Unknown task_type [bad]" },
  },
  {
    name: "body presence (REST layer) before id validation",
    method: "PUT",
    path: "/_inference/text_embedding/Bad-Id",
    expected: { status: 400, type: "parse_exception", reason: "request body is required" },
  },
  {
    name: "id validation before the body's task type",
    method: "PUT",
    path: "/_inference/Bad-Id",
    body: { ...emb, task_type: "bad" },
    expected: { status: 400, type: "action_request_validation_exception", reason: invalidId("Bad-Id") },
  },
  {
    name: "task type resolution before the service",
    method: "PUT",
    path: "/_inference/rerank/x",
    body: { task_type: "completion", service_settings: {} },
    expected: {
      status: 400,
      type: "status_exception",
      reason:
        "Cannot resolve conflicting task_type parameter in the request URL [rerank] and the request body [completion]",
    },
  },
  {
    name: "service presence before unknown settings",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service_settings: {}, nope: 1 },
    expected: {
      status: 400,
      type: "status_exception",
      reason: "Inference endpoint configuration is missing the [service] setting",
    },
  },
  {
    name: "unknown service before missing service_settings",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "nope" },
    expected: { status: 400, type: "status_exception", reason: "Unknown service [nope]" },
  },
  {
    name: "trained-model id before the service's settings parsing",
    setup: [["PUT", "/_inference/text_embedding/e5", inCluster]],
    method: "PUT",
    path: "/_inference/text_embedding/my-model",
    body: { service: "openai", service_settings: {} },
    expected: {
      status: 400,
      type: "status_exception",
      reason:
        "Inference endpoint IDs must be unique. Requested inference endpoint ID [my-model] matches existing trained model ID(s) but must not.",
    },
  },
  {
    name: "re-creating an in-cluster endpoint meets its own deployment before the duplicate check",
    setup: [["PUT", "/_inference/text_embedding/e5", inCluster]],
    method: "PUT",
    path: "/_inference/text_embedding/e5",
    body: inCluster,
    expected: {
      status: 400,
      type: "status_exception",
      reason:
        "Inference endpoint IDs must be unique. Requested inference endpoint ID [e5] matches existing trained model ID(s) but must not.",
    },
  },
  {
    name: "missing service_settings before an unsupported task type",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "anthropic" },
    expected: { status: 400, type: "status_exception", reason: "Missing required field [service_settings]" },
  },
  {
    name: "unsupported task type before invalid chunking settings",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "anthropic", service_settings: {}, chunking_settings: { strategy: "nope" } },
    expected: {
      status: 400,
      type: "status_exception",
      reason: "The [anthropic] service does not support task type [text_embedding]",
    },
  },
  {
    name: "chunking settings before service settings",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "openai", service_settings: {}, chunking_settings: { strategy: "nope" } },
    expected: { status: 400, type: "illegal_argument_exception", reason: "Invalid chunkingStrategy nope" },
  },
  {
    name: "service settings before task settings",
    method: "PUT",
    path: "/_inference/text_embedding/x",
    body: { service: "openai", service_settings: { api_key: "k" }, task_settings: { user: 5 } },
    expected: {
      status: 400,
      type: "validation_exception",
      reason: "Validation Failed: 1: [service_settings] does not contain the required setting [model_id];",
    },
  },
  {
    name: "update: id validation before the body",
    method: "PUT",
    path: "/_inference/text_embedding/Bad-Id/_update",
    body: {},
    expected: { status: 400, type: "action_request_validation_exception", reason: invalidId("Bad-Id") },
  },
  {
    name: "update: body checks before the lookup",
    method: "PUT",
    path: "/_inference/text_embedding/missing/_update",
    body: { service: "openai" },
    expected: {
      status: 400,
      type: "status_exception",
      reason: "Request contained fields which cannot be updated, remove these fields and try again [{service=openai}]",
    },
  },
  {
    name: "update: task type resolution before the lookup",
    method: "PUT",
    path: "/_inference/missing/_update",
    body: { task_settings: { user: "u" } },
    expected: { status: 400, type: "status_exception", reason: "model is missing required setting [task_type]" },
  },
  {
    name: "update: the lookup before the stored task type",
    method: "PUT",
    path: "/_inference/rerank/missing/_update",
    body: { task_settings: { user: "u" } },
    expected: {
      status: 404,
      type: "resource_not_found_exception",
      reason: "The inference endpoint [missing] does not exist and cannot be updated",
    },
  },
  {
    name: "delete: the lookup before the task type",
    method: "DELETE",
    path: "/_inference/rerank/missing",
    expected: { status: 404, type: "resource_not_found_exception", reason: "Inference endpoint not found [missing]" },
  },
  {
    name: "delete: the task type before the reserved-endpoint check",
    method: "DELETE",
    path: "/_inference/rerank/.elser-2-elasticsearch",
    expected: {
      status: 400,
      type: "status_exception",
      reason: "Requested task type [rerank] does not match the inference endpoint's task type [sparse_embedding]",
    },
  },
  {
    name: "delete: the reserved-endpoint check before dry_run",
    method: "DELETE",
    path: "/_inference/.elser-2-elasticsearch?dry_run=true",
    expected: {
      status: 400,
      type: "status_exception",
      reason:
        "[.elser-2-elasticsearch] is a reserved inference endpoint. Use the force=true query parameter to delete the inference endpoint.",
    },
  },
];

describe.each(VERSIONS)("in-cluster deployments at %s", (v) => {
  it("go away with their endpoint: after a delete the id and the model id can be used again", async () => {
    const em = fresh(v);
    expect((await raw(em, "PUT", "/_inference/text_embedding/e5", inCluster)).status).toBe(200);
    expect((await raw(em, "PUT", "/_inference/text_embedding/my-model", emb)).status).toBe(400);
    expect((await raw(em, "DELETE", "/_inference/e5")).status).toBe(200);
    expect((await raw(em, "PUT", "/_inference/text_embedding/my-model", emb)).status).toBe(200);
    expect((await raw(em, "PUT", "/_inference/text_embedding/e5", inCluster)).status).toBe(200);
  });
});

describe.each(VERSIONS)("check order at %s", (v) => {
  it.each(ORDER.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const em = fresh(v);
    for (const [method, path, body] of c.setup ?? []) expect((await raw(em, method, path, body)).status).toBe(200);
    const res = await raw(em, c.method, c.path, c.body);
    expect(errorOf(res)).toEqual(c.expected);
  });
});
