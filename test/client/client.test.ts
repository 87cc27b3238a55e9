import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  clearSecretValues,
  ConnectionError,
  ConnectionOptions,
  ElasticsearchClient,
  ElasticsearchError,
  isAlreadyExists,
  isConflict,
  isNotFound,
  isTimeout,
  registerSecretValue,
  RequestTimeoutError,
  RetryBudgetExceededError,
  supportsCreateTimeout,
  unsupportedVersionReason,
} from "../../lib/client";
import { rejection } from "./rejection";

// ---------------------------------------------------------------------------------------------------------------
// A tiny recording server. Each test installs a handler; every request is recorded with its parsed body.

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}
type Handler = (req: Recorded, res: http.ServerResponse, raw: http.IncomingMessage) => void;

interface TestServer {
  url: string;
  requests: Recorded[];
  handle(h: Handler): void;
  close(): Promise<void>;
}

async function startServer(): Promise<TestServer> {
  const requests: Recorded[] = [];
  let handler: Handler = (_r, res) => json(res, 500, { error: "no handler" });
  const server = http.createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const u = new URL(raw.url ?? "/", "http://x");
      const rec: Recorded = {
        method: raw.method ?? "",
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: raw.headers,
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(rec);
      handler(rec, res, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function esError(
  res: http.ServerResponse,
  status: number,
  type: string,
  reason: string,
  headers: Record<string, string> = {},
) {
  json(res, status, { error: { root_cause: [{ type, reason }], type, reason }, status }, headers);
}

/** Kills the connection without a response, after the request was fully received. */
function drop(raw: http.IncomingMessage): void {
  raw.socket.destroy();
}

/** A port with nothing listening. */
async function deadUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const endpoint = (id: string, taskType = "text_embedding") => ({
  inference_id: id,
  task_type: taskType,
  service: "openai",
  service_settings: { model_id: "text-embedding-3-small", rate_limit: { requests_per_minute: 3000 } },
});

// ---------------------------------------------------------------------------------------------------------------

let server: TestServer;
let clients: ElasticsearchClient[] = [];
let sleeps: number[];
let clock: number;
let logs: string[];

/** A client on the test server with instant, recorded sleeps and a fake clock that sleeps advance. */
function client(extra: Partial<ConnectionOptions> = {}): ElasticsearchClient {
  const c = new ElasticsearchClient({
    nodes: [server.url],
    auth: { apiKey: "test-api-key" },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    now: () => clock,
    verbose: (line) => logs.push(line),
    ...extra,
  });
  clients.push(c);
  return c;
}

beforeEach(async () => {
  server = await startServer();
  sleeps = [];
  clock = 0;
  logs = [];
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  await server.close();
  clearSecretValues();
});

describe("request shapes", () => {
  it("info(): GET / with JSON and auth headers", async () => {
    server.handle((_r, res) =>
      json(res, 200, {
        name: "n1",
        cluster_name: "docker-cluster",
        cluster_uuid: "uuid-1",
        version: { number: "9.1.0", build_flavor: "default" },
      }),
    );
    const info = await client().info();
    expect(info).toEqual({
      version: "9.1.0",
      buildFlavor: "default",
      serverless: false,
      clusterName: "docker-cluster",
      clusterUuid: "uuid-1",
    });
    const req = server.requests[0]!;
    expect(req.method).toBe("GET");
    expect(req.path).toBe("/");
    expect(req.headers["authorization"]).toBe("ApiKey test-api-key");
    expect(req.headers["accept"]).toBe("application/json");
    expect(supportsCreateTimeout(info)).toBe(true);
    expect(unsupportedVersionReason(info)).toBeUndefined();
    expect(unsupportedVersionReason({ ...info, version: "8.17.0" })).toContain("8.18.0");
  });

  it("info(): serverless flavor", async () => {
    server.handle((_r, res) =>
      json(res, 200, {
        cluster_name: "c",
        cluster_uuid: "u",
        version: { number: "8.11.0", build_flavor: "serverless" },
      }),
    );
    const info = await client().info();
    expect(info.serverless).toBe(true);
    expect(supportsCreateTimeout(info)).toBe(true);
    expect(unsupportedVersionReason(info)).toBeUndefined();
  });

  it("listEndpoints(): one GET of _all; accepts the old models/model_id shape", async () => {
    server.handle((_r, res) => json(res, 200, { endpoints: [endpoint("a"), endpoint("b", "rerank")] }));
    const c = client();
    expect((await c.listEndpoints()).map((e) => e.inference_id)).toEqual(["a", "b"]);
    server.handle((_r, res) => {
      const { inference_id, ...rest } = endpoint("old");
      json(res, 200, { models: [{ model_id: inference_id, ...rest }] });
    });
    const old = await c.listEndpoints();
    expect(old[0]!.inference_id).toBe("old");
    expect(old[0]).not.toHaveProperty("model_id");
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /_inference/_all",
      "GET /_inference/_all",
    ]);
  });

  it("getEndpoint(): encodes ids, returns undefined on resource_not_found_exception, throws other 404s", async () => {
    server.handle((r, res) => {
      if (r.path.endsWith("missing"))
        return esError(res, 404, "resource_not_found_exception", "Inference endpoint not found [missing]");
      if (r.path.endsWith("proxy")) return json(res, 404, { message: "route not found" });
      json(res, 200, { endpoints: [endpoint("my.id")] });
    });
    const c = client();
    expect((await c.getEndpoint("my.id", "text_embedding"))?.inference_id).toBe("my.id");
    expect(await c.getEndpoint("missing")).toBeUndefined();
    expect(await rejection(c.getEndpoint("proxy"))).toBeInstanceOf(ElasticsearchError);
    await c.getEndpoint("a/b?c").catch(() => undefined);
    expect(server.requests.map((r) => r.path)).toEqual([
      "/_inference/text_embedding/my.id",
      "/_inference/missing",
      "/_inference/proxy",
      "/_inference/a%2Fb%3Fc",
    ]);
  });

  it("createEndpoint(): PUT with JSON body; timeout only when given", async () => {
    server.handle((r, res) => json(res, 200, { ...endpoint("e1"), ...(r.body as object) }));
    const c = client();
    const body = { service: "openai", service_settings: { api_key: "sk-xyz1", model_id: "m" } };
    const r1 = await c.createEndpoint("text_embedding", "e1", body);
    const r2 = await c.createEndpoint("text_embedding", "e1", body, { timeout: "30s" });
    expect(r1.recovered).toBe(false);
    expect(r1.endpoint.inference_id).toBe("e1");
    expect(r2.recovered).toBe(false);
    const [a, b] = server.requests;
    expect(a).toMatchObject({ method: "PUT", path: "/_inference/text_embedding/e1", query: {}, body });
    expect(a!.headers["content-type"]).toBe("application/json");
    expect(b!.query).toEqual({ timeout: "30s" });
  });

  it("updateEndpoint(): PUT {task_type}/{id}/_update", async () => {
    server.handle((_r, res) => json(res, 200, endpoint("e1")));
    await client().updateEndpoint("text_embedding", "e1", { task_settings: { user: "x" } });
    expect(server.requests[0]).toMatchObject({
      method: "PUT",
      path: "/_inference/text_embedding/e1/_update",
      body: { task_settings: { user: "x" } },
    });
  });

  it("deleteEndpoint(): only true params are sent; old responses without pipelines/indexes", async () => {
    const c = client();
    server.handle((_r, res) => json(res, 200, { acknowledged: true }));
    expect(await c.deleteEndpoint("e1")).toEqual({ acknowledged: true, pipelines: [], indexes: [] });
    server.handle((_r, res) =>
      json(res, 200, { acknowledged: false, pipelines: ["p1"], indexes: ["i1"], error_message: "referenced" }),
    );
    expect(await c.deleteEndpoint("e1", { taskType: "rerank", force: true, dryRun: true })).toEqual({
      acknowledged: false,
      pipelines: ["p1"],
      indexes: ["i1"],
      errorMessage: "referenced",
    });
    await c.deleteEndpoint("e1", { force: false, dryRun: false });
    expect(server.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ["DELETE", "/_inference/e1", {}],
      ["DELETE", "/_inference/rerank/e1", { force: "true", dry_run: "true" }],
      ["DELETE", "/_inference/e1", {}],
    ]);
  });

  it("deleteEndpoint(): 409 when referenced is a typed conflict", async () => {
    server.handle((_r, res) =>
      esError(res, 409, "status_exception", "Inference endpoint e1 is referenced by pipelines: [p1]."),
    );
    const e = await rejection(client().deleteEndpoint("e1"));
    expect(isConflict(e)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it("infer(): POST with snake_case body and optional timeout", async () => {
    server.handle((_r, res) => json(res, 200, { rerank: [{ index: 0, relevance_score: 0.9 }] }));
    const out = await client().infer(
      "rerank",
      "r1",
      { input: ["a", "b"], query: "q", inputType: "search", taskSettings: { top_n: 1 } },
      { timeout: "10s" },
    );
    expect(out).toEqual({ rerank: [{ index: 0, relevance_score: 0.9 }] });
    expect(server.requests[0]).toMatchObject({
      method: "POST",
      path: "/_inference/rerank/r1",
      query: { timeout: "10s" },
      body: { input: ["a", "b"], query: "q", input_type: "search", task_settings: { top_n: 1 } },
    });
  });

  it("documents: put with concurrency params, get, 404s, delete", async () => {
    const c = client();
    server.handle((r, res) => {
      if (r.method === "PUT")
        return json(res, 201, {
          _index: ".esinfer",
          _id: "s",
          _version: 1,
          result: "created",
          _seq_no: 5,
          _primary_term: 1,
        });
      if (r.method === "GET" && r.path === "/.esinfer/_doc/s") {
        return json(res, 200, {
          _index: ".esinfer",
          _id: "s",
          _version: 1,
          _seq_no: 5,
          _primary_term: 1,
          found: true,
          _source: { a: 1 },
        });
      }
      if (r.method === "GET" && r.path === "/.esinfer/_doc/none")
        return json(res, 404, { _index: ".esinfer", _id: "none", found: false });
      if (r.method === "GET") return esError(res, 404, "index_not_found_exception", "no such index [.missing]");
      if (r.method === "DELETE" && r.path.endsWith("/s"))
        return json(res, 200, { result: "deleted", _seq_no: 6, _primary_term: 1 });
      return json(res, 404, { result: "not_found", found: false });
    });
    expect(await c.putDocument(".esinfer", "s", { a: 1 }, { opType: "create", refresh: true })).toEqual({
      seqNo: 5,
      primaryTerm: 1,
      version: 1,
      result: "created",
    });
    await c.putDocument(".esinfer", "s", { a: 2 }, { ifSeqNo: 5, ifPrimaryTerm: 1 });
    expect(await c.getDocument(".esinfer", "s")).toEqual({ source: { a: 1 }, seqNo: 5, primaryTerm: 1 });
    expect(await c.getDocument(".esinfer", "none")).toBeUndefined();
    expect(await c.getDocument(".missing", "x")).toBeUndefined();
    expect(await c.deleteDocument(".esinfer", "s", { ifSeqNo: 5, ifPrimaryTerm: 1 })).toEqual({ deleted: true });
    expect(await c.deleteDocument(".esinfer", "gone")).toEqual({ deleted: false });
    expect(server.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ["PUT", "/.esinfer/_doc/s", { op_type: "create", refresh: "true" }],
      ["PUT", "/.esinfer/_doc/s", { if_seq_no: "5", if_primary_term: "1" }],
      ["GET", "/.esinfer/_doc/s", {}],
      ["GET", "/.esinfer/_doc/none", {}],
      ["GET", "/.missing/_doc/x", {}],
      ["DELETE", "/.esinfer/_doc/s", { if_seq_no: "5", if_primary_term: "1" }],
      ["DELETE", "/.esinfer/_doc/gone", {}],
    ]);
  });
});

describe("errors", () => {
  it("typed ElasticsearchError with status, type, reason, root cause, method and path; no retry on 400", async () => {
    const reason = "Validation Failed: 1: [service_settings] does not contain the required setting [model_id];";
    server.handle((_r, res) => esError(res, 400, "validation_exception", reason));
    const e = (await rejection(
      client().createEndpoint("text_embedding", "x", { service: "openai", service_settings: {} }),
    )) as ElasticsearchError;
    expect(e).toBeInstanceOf(ElasticsearchError);
    expect(e).toMatchObject({
      status: 400,
      type: "validation_exception",
      reason,
      method: "PUT",
      path: "/_inference/text_embedding/x",
    });
    expect(e.rootCause).toEqual([{ type: "validation_exception", reason }]);
    // What is wrong first; the request and the raw codes after.
    expect(e.message).toBe(`${reason} (PUT /_inference/text_embedding/x: 400 validation_exception)`);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("isAlreadyExists on 400 resource_already_exists_exception (first attempt: not recovered)", async () => {
    server.handle((_r, res) =>
      esError(res, 400, "resource_already_exists_exception", "Inference endpoint [x] already exists"),
    );
    const e = await rejection(
      client().createEndpoint("text_embedding", "x", { service: "openai", service_settings: {} }),
    );
    expect(isAlreadyExists(e)).toBe(true);
    expect(isNotFound(e)).toBe(false);
  });

  it("non-JSON error bodies (proxies) give a clear error with the start of the text", async () => {
    server.handle((_r, res) => {
      res.writeHead(401, { "content-type": "text/html" });
      res.end("<html><body>Unauthorized by proxy</body></html>");
    });
    const e = (await rejection(client().info())) as ElasticsearchError;
    expect(e).toBeInstanceOf(ElasticsearchError);
    expect(e.status).toBe(401);
    expect(e.type).toBeUndefined();
    expect(e.message).toMatch(
      /refused the credentials from the auth option: .*; the server said: \(non-JSON response\) <html><body>Unauthorized by proxy.* \(GET \/: 401\)$/,
    );
  });
});

describe("retries", () => {
  it("retries 429 honoring Retry-After, even for a create", async () => {
    let n = 0;
    server.handle((_r, res) => {
      if (n++ === 0) return esError(res, 429, "es_rejected_execution_exception", "rejected", { "retry-after": "2" });
      json(res, 200, endpoint("e1"));
    });
    const r = await client().createEndpoint("text_embedding", "e1", { service: "openai", service_settings: {} });
    expect(r.recovered).toBe(false);
    expect(server.requests.map((q) => q.method)).toEqual(["PUT", "PUT"]);
    expect(sleeps).toEqual([2000]);
  });

  it("retries 503 on GET with exponential backoff and full jitter", async () => {
    let n = 0;
    server.handle((_r, res) =>
      n++ < 2 ? esError(res, 503, "cluster_block_exception", "blocked") : json(res, 200, { endpoints: [] }),
    );
    expect(await client({ retryBaseDelayMs: 100 }).listEndpoints()).toEqual([]);
    expect(server.requests).toHaveLength(3);
    // random() = 0.5: half of 100, then half of 200.
    expect(sleeps).toEqual([50, 100]);
  });

  it("retries a GET after a connection reset", async () => {
    let n = 0;
    server.handle((_r, res, raw) => (n++ === 0 ? drop(raw) : json(res, 200, { endpoints: [] })));
    await client().listEndpoints();
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(logs.some((l) => l.startsWith("x GET /_inference/_all"))).toBe(true);
  });

  it("is bounded by count", async () => {
    server.handle((_r, res) => esError(res, 503, "unavailable", "try later"));
    const e = (await rejection(client({ maxRetries: 2 }).info())) as RetryBudgetExceededError;
    expect(e).toBeInstanceOf(RetryBudgetExceededError);
    expect(e.attempts).toBe(3);
    expect((e.lastError as ElasticsearchError).status).toBe(503);
    expect(server.requests).toHaveLength(3);
  });

  it("is bounded by total time (Retry-After capped by the remaining budget)", async () => {
    server.handle((_r, res) => esError(res, 429, "too_many", "slow down", { "retry-after": "0.4" }));
    const c = client({ maxRetries: 10, maxRetryTimeMs: 1000 });
    const e = (await rejection(c.info())) as RetryBudgetExceededError;
    expect(e).toBeInstanceOf(RetryBudgetExceededError);
    // 0 → 400 → 800 → (cut to the 200 left) 1000: then the budget is spent.
    expect(sleeps).toEqual([400, 400, 200]);
    expect(e.attempts).toBe(4);
    expect(server.requests).toHaveLength(4);
  });

  it("fails over to the next node on connection errors, round-robin", async () => {
    server.handle((_r, res) => json(res, 200, { endpoints: [] }));
    const dead = await deadUrl();
    const c = client({ nodes: [dead, server.url] });
    await c.listEndpoints();
    await c.listEndpoints();
    await c.listEndpoints();
    expect(server.requests).toHaveLength(3);
    // Failing over to an untried node does not wait; the refusing node is then skipped.
    expect(sleeps).toEqual([]);
    expect(logs.filter((l) => l.startsWith(`> GET /_inference/_all`) && l.includes(dead))).toHaveLength(1);
  });

  it("gives a ConnectionError naming the node when no node answers", async () => {
    const dead = await deadUrl();
    const e = await rejection(client({ nodes: [dead], maxRetries: 1 }).info());
    expect(e).toBeInstanceOf(RetryBudgetExceededError);
    const last = (e as RetryBudgetExceededError).lastError as ConnectionError;
    expect(last).toBeInstanceOf(ConnectionError);
    expect(last.networkCode).toBe("ECONNREFUSED");
    expect(last.node).toBe(dead);
    expect(last.notSent).toBe(true);
  });

  it("per-request timeout gives RequestTimeoutError", async () => {
    server.handle(() => undefined); // never answers
    const e = await rejection(client({ requestTimeoutMs: 100, maxRetries: 0 }).info());
    expect(e).toBeInstanceOf(RequestTimeoutError);
    expect(isTimeout(e)).toBe(true);
    expect(e.message).toContain("within 100 ms");
  });

  it("DELETE answered 404 on a retry after an ambiguous failure counts as deleted", async () => {
    let n = 0;
    server.handle((_r, res, raw) =>
      n++ === 0 ? drop(raw) : esError(res, 404, "resource_not_found_exception", "Inference endpoint not found [e1]"),
    );
    expect(await client().deleteEndpoint("e1")).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
      recovered: true,
    });
    expect(server.requests.map((r) => r.method)).toEqual(["DELETE", "DELETE"]);
  });

  it("a plain DELETE 404 is still an error", async () => {
    server.handle((_r, res) => esError(res, 404, "resource_not_found_exception", "Inference endpoint not found [e1]"));
    expect(isNotFound(await rejection(client().deleteEndpoint("e1")))).toBe(true);
  });
});

describe("create is never blindly re-sent", () => {
  const body = { service: "openai", service_settings: { api_key: "sk-create-1", model_id: "m" } };

  it("connection dropped after the PUT was stored: GET finds it, no second PUT", async () => {
    let stored = false;
    server.handle((r, res, raw) => {
      if (r.method === "PUT") {
        stored = true;
        return drop(raw);
      }
      if (stored) return json(res, 200, { endpoints: [endpoint("e1")] });
      esError(res, 404, "resource_not_found_exception", "Inference endpoint not found [e1]");
    });
    const r = await client().createEndpoint("text_embedding", "e1", body);
    expect(r.recovered).toBe(true);
    expect(r.endpoint.inference_id).toBe("e1");
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      "PUT /_inference/text_embedding/e1",
      "GET /_inference/text_embedding/e1",
    ]);
  });

  it("connection dropped before storing: GET finds nothing, PUT re-sent once", async () => {
    let puts = 0;
    server.handle((r, res, raw) => {
      if (r.method === "PUT") return puts++ === 0 ? drop(raw) : json(res, 200, endpoint("e1"));
      esError(res, 404, "resource_not_found_exception", "Inference endpoint not found [e1]");
    });
    const r = await client().createEndpoint("text_embedding", "e1", body);
    expect(r.recovered).toBe(false);
    expect(server.requests.map((q) => q.method)).toEqual(["PUT", "GET", "PUT"]);
    expect(sleeps).toHaveLength(1);
  });

  it("504 from a gateway: checks before re-sending; a re-sent PUT answered 'already exists' is recovered", async () => {
    let puts = 0;
    let gets = 0;
    server.handle((r, res) => {
      if (r.method === "PUT") {
        return puts++ === 0
          ? json(res, 504, { message: "gateway timeout" })
          : esError(res, 400, "resource_already_exists_exception", "Inference endpoint [e1] already exists");
      }
      // The first PUT is still being processed when the first GET arrives.
      if (gets++ === 0) return esError(res, 404, "resource_not_found_exception", "Inference endpoint not found [e1]");
      json(res, 200, { endpoints: [endpoint("e1")] });
    });
    const r = await client().createEndpoint("text_embedding", "e1", body);
    expect(r.recovered).toBe(true);
    expect(server.requests.map((q) => q.method)).toEqual(["PUT", "GET", "PUT", "GET"]);
  });

  it("timeout: the endpoint is read back instead of re-sending", async () => {
    let stored = false;
    server.handle((r, res) => {
      if (r.method === "PUT") {
        stored = true;
        return; // hangs past the client timeout
      }
      json(res, 200, { endpoints: stored ? [endpoint("e1")] : [] });
    });
    const r = await client({ requestTimeoutMs: 100 }).createEndpoint("text_embedding", "e1", body);
    expect(r.recovered).toBe(true);
    expect(server.requests.map((q) => q.method)).toEqual(["PUT", "GET"]);
  });

  it("gives up within the budget when every attempt is ambiguous", async () => {
    server.handle((r, res, raw) =>
      r.method === "PUT"
        ? drop(raw)
        : esError(res, 404, "resource_not_found_exception", "Inference endpoint not found [e1]"),
    );
    const e = (await rejection(
      client({ maxRetries: 2 }).createEndpoint("text_embedding", "e1", body),
    )) as RetryBudgetExceededError;
    expect(e).toBeInstanceOf(RetryBudgetExceededError);
    expect(e.lastError).toBeInstanceOf(ConnectionError);
    expect(server.requests.map((q) => q.method)).toEqual(["PUT", "GET", "PUT", "GET", "PUT", "GET"]);
  });

  it("infer is not re-sent after an ambiguous failure", async () => {
    server.handle((_r, res) => json(res, 502, { message: "bad gateway" }));
    const e = (await rejection(client().infer("completion", "c1", { input: "hi" }))) as ElasticsearchError;
    expect(e.status).toBe(502);
    expect(server.requests).toHaveLength(1);
  });

  it("a conditional document write whose response was lost is verified by reading it back", async () => {
    let written: unknown;
    server.handle((r, res, raw) => {
      if (r.method === "PUT") {
        written = r.body;
        return drop(raw);
      }
      json(res, 200, { found: true, _seq_no: 8, _primary_term: 1, _version: 3, _source: written });
    });
    const out = await client().putDocument(
      ".esinfer",
      "s",
      { b: [1, { c: 2 }], a: "x" },
      { ifSeqNo: 7, ifPrimaryTerm: 1 },
    );
    expect(out).toEqual({ seqNo: 8, primaryTerm: 1, version: 3, result: "updated", recovered: true });
    expect(server.requests.map((q) => q.method)).toEqual(["PUT", "GET"]);
  });
});

describe("redaction", () => {
  const CANARY = "canary-SECRET-123";

  it("a canary secret in the auth header, the body and an echoed error never appears in logs or errors", async () => {
    registerSecretValue("provider-key-SECRET-789"); // as the plan engine does for resolved secrets
    server.handle((_r, res) =>
      esError(
        res,
        400,
        "status_exception",
        `Model configuration contains settings [{api_key=${CANARY}, weird=provider-key-SECRET-789}] unknown to the [openai] service`,
      ),
    );
    const c = client({ auth: { apiKey: CANARY } });
    const e = (await rejection(
      c.createEndpoint("text_embedding", "e1", {
        service: "openai",
        service_settings: { api_key: CANARY, weird: "provider-key-SECRET-789", model_id: "m" },
        secret_parameters: { unregistered: "only-by-key-SECRET-456" },
      }),
    )) as ElasticsearchError;
    // The server did get the real values.
    expect(server.requests[0]!.headers["authorization"]).toBe(`ApiKey ${CANARY}`);
    const seen = [
      e.message,
      e.reason,
      JSON.stringify(e.rootCause),
      JSON.stringify(e.body),
      String(e.stack),
      ...logs,
    ].join("\n");
    expect(logs.length).toBeGreaterThanOrEqual(2);
    expect(seen).toContain("(sensitive)");
    expect(seen).toContain("model_id");
    for (const s of [CANARY, "provider-key-SECRET-789", "only-by-key-SECRET-456"]) expect(seen).not.toContain(s);
  });

  it("basic-auth credentials are redacted in every form", async () => {
    server.handle((r, res) =>
      esError(
        res,
        401,
        "security_exception",
        `unable to authenticate with [${String(r.headers["authorization"])}] for user [elastic] with ${CANARY}`,
      ),
    );
    const e = await rejection(client({ auth: { username: "elastic", password: CANARY } }).info());
    expect(e.message).not.toContain(CANARY);
    expect(e.message).not.toContain(Buffer.from(`elastic:${CANARY}`).toString("base64"));
    expect(logs.join("\n")).not.toContain(CANARY);
  });

  it("warns on every client created with insecure", () => {
    const warnings: string[] = [];
    new ElasticsearchClient({ nodes: ["https://127.0.0.1:1"], insecure: true, warn: (m) => warnings.push(m) }).close();
    new ElasticsearchClient({ nodes: ["https://127.0.0.1:1"], insecure: true, warn: (m) => warnings.push(m) }).close();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain("verification is disabled");
  });
});
