/**
 * esinfer's client against the emulator: every operation per emulated version, typed errors with the server's
 * texts, and the client's bounds under the emulator's injected faults (429 + Retry-After, 5xx by count and by
 * rate, dropped connections before and after the request was applied, latency past the request timeout), checked
 * against the emulator's request log. Retries sleep through an injected instant clock, so nothing waits.
 */
import { MAIN_VERSION } from "../../lib/catalogue";
import {
  clearSecretValues,
  ConnectionError,
  ElasticsearchClient,
  ElasticsearchError,
  isAlreadyExists,
  isAuthError,
  isConflict,
  isNotFound,
  isTimeout,
  registerSecretValue,
  RequestTimeoutError,
  RetryBudgetExceededError,
  supportsCreateTimeout,
  type ConnectionOptions,
} from "../../lib/client";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { rejection } from "./rejection";

const body = (apiKey = "sk-test") => ({
  service: "openai",
  service_settings: { api_key: apiKey, model_id: "text-embedding-3-small" },
});

interface Harness {
  client: ElasticsearchClient;
  sleeps: number[];
  logs: string[];
}

let clients: ElasticsearchClient[] = [];

/** A client whose retries sleep instantly on a fake clock (the sleeps are recorded) and whose log is captured. */
function harness(em: Emulator, extra: Partial<ConnectionOptions> = {}): Harness {
  const sleeps: number[] = [];
  const logs: string[] = [];
  let clock = 0;
  const client = new ElasticsearchClient({
    nodes: [em.url],
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    now: () => clock,
    verbose: (line) => logs.push(line),
    retryBaseDelayMs: 100,
    ...extra,
  });
  clients.push(client);
  return { client, sleeps, logs };
}

/** `METHOD path status outcome` of every request the emulator saw. */
const trace = (em: Emulator) => em.requests.list().map((r) => `${r.method} ${r.path} ${r.status} ${r.outcome}`);

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients = [];
  clearSecretValues();
});

describe.each(["8.18.0", "9.1.0", MAIN_VERSION])("operations at %s", (version) => {
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator({ esVersion: version });
  });
  beforeEach(() => em.reset());
  afterAll(() => em.stop());

  it("info, create (timeout where supported), get, list, update, infer, delete", async () => {
    const { client } = harness(em);
    const info = await client.info();
    expect(info).toMatchObject({ version, serverless: false, buildFlavor: "default", clusterName: "esinfer-emulator" });
    const options = supportsCreateTimeout(info) ? { timeout: "30s" } : {};
    const created = await client.createEndpoint("text_embedding", "e1", body(), options);
    expect(created.recovered).toBe(false);
    expect(created.endpoint).toMatchObject({ inference_id: "e1", task_type: "text_embedding", service: "openai" });
    expect(em.requests.list({ method: "PUT" })[0]!.query).toEqual(
      supportsCreateTimeout(info) ? { timeout: "30s" } : {},
    );
    expect(await client.getEndpoint("e1")).toEqual(created.endpoint);
    expect(await client.getEndpoint("missing")).toBeUndefined();
    const ids = (await client.listEndpoints()).map((e) => e.inference_id);
    expect(ids).toContain(".elser-2-elasticsearch");
    expect(ids.at(-1)).toBe("e1");
    const updated = await client.updateEndpoint("text_embedding", "e1", { task_settings: { user: "u" } });
    expect(updated.task_settings).toEqual({ user: "u" });
    const vectors = (await client.infer("text_embedding", "e1", { input: ["a", "b"] })) as {
      text_embedding: unknown[];
    };
    expect(vectors.text_embedding).toHaveLength(2);
    expect(await client.deleteEndpoint("e1", { dryRun: true })).toEqual({
      acknowledged: false,
      pipelines: [],
      indexes: [],
    });
    expect(await client.deleteEndpoint("e1", { taskType: "text_embedding" })).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
    });
    expect(await client.getEndpoint("e1")).toBeUndefined();
  });

  it("keeps connections alive within the pool: many requests, at most maxConnectionsPerNode connections", async () => {
    const { client } = harness(em, { maxConnectionsPerNode: 3 });
    em.faults.latency({ ms: 30, count: 9 });
    await Promise.all(Array.from({ length: 9 }, () => client.info()));
    expect(em.requests.stats().maxInFlight).toBe(3);
    for (let i = 0; i < 10; i++) await client.info();
    const stats = em.requests.stats();
    expect(stats.total).toBe(19);
    expect(stats.connections).toBeGreaterThanOrEqual(1);
    expect(stats.connections).toBeLessThanOrEqual(3);
  });

  it("typed errors carry the status, Elasticsearch type and reason of the server", async () => {
    const { client } = harness(em);
    await client.createEndpoint("text_embedding", "e1", body());
    const dup = (await rejection(client.createEndpoint("text_embedding", "e1", body()))) as ElasticsearchError;
    expect(dup).toBeInstanceOf(ElasticsearchError);
    expect(isAlreadyExists(dup)).toBe(true);
    expect(dup).toMatchObject({
      status: 400,
      type: "resource_already_exists_exception",
      reason: "Inference endpoint [e1] already exists",
    });
    const missing = (await rejection(
      client.updateEndpoint("text_embedding", "nope", { task_settings: {} }),
    )) as ElasticsearchError;
    expect(isNotFound(missing)).toBe(true);
    expect(missing).toMatchObject({
      status: 404,
      type: "resource_not_found_exception",
      reason: "The inference endpoint [nope] does not exist and cannot be updated",
    });
    await client.request("PUT", "/_ingest/pipeline/p1", { body: { processors: [{ inference: { model_id: "e1" } }] } });
    const referenced = await rejection(client.deleteEndpoint("e1"));
    expect(isConflict(referenced)).toBe(true);
    expect((referenced as ElasticsearchError).reason).toMatch(
      /^Inference endpoint e1 is referenced by pipelines: \[p1\]\./,
    );
    const dry = await client.deleteEndpoint("e1", { dryRun: true });
    expect(dry).toMatchObject({
      acknowledged: false,
      pipelines: ["p1"],
      indexes: [],
      errorMessage: (referenced as ElasticsearchError).reason,
    });
    const reserved = (await rejection(client.deleteEndpoint(".elser-2-elasticsearch"))) as ElasticsearchError;
    expect(reserved).toMatchObject({ status: 400, type: "status_exception" });
    expect(await client.deleteEndpoint(".elser-2-elasticsearch", { force: true })).toMatchObject({
      acknowledged: true,
    });
    // Each failure was answered once: none of these is retryable.
    expect(em.requests.list({ method: "DELETE" })).toHaveLength(4);
  });

  it("a create timeout the version does not support is the server's 400, not retried", async () => {
    const { client } = harness(em);
    const call = client.createEndpoint("text_embedding", "e1", body(), { timeout: "30s" });
    if (version !== "8.18.0") return expect((await call).recovered).toBe(false);
    const e = (await rejection(call)) as ElasticsearchError;
    expect(e).toMatchObject({
      status: 400,
      type: "illegal_argument_exception",
      reason: "request [/_inference/text_embedding/e1] contains unrecognized parameter: [timeout]",
    });
    expect(em.requests.length).toBe(1);
  });

  it("documents: create-only writes, optimistic concurrency, reads and deletes", async () => {
    const { client } = harness(em);
    const first = await client.putDocument(".esinfer", "lock", { owner: "a" }, { opType: "create", refresh: true });
    expect(first).toMatchObject({ result: "created", version: 1, primaryTerm: 1 });
    expect(
      isConflict(await rejection(client.putDocument(".esinfer", "lock", { owner: "b" }, { opType: "create" }))),
    ).toBe(true);
    const second = await client.putDocument(
      ".esinfer",
      "lock",
      { owner: "b" },
      { ifSeqNo: first.seqNo, ifPrimaryTerm: 1 },
    );
    expect(second.result).toBe("updated");
    const stale = (await rejection(
      client.putDocument(".esinfer", "lock", { owner: "c" }, { ifSeqNo: first.seqNo, ifPrimaryTerm: 1 }),
    )) as ElasticsearchError;
    expect(stale).toMatchObject({ status: 409, type: "version_conflict_engine_exception" });
    expect(await client.getDocument(".esinfer", "lock")).toEqual({
      source: { owner: "b" },
      seqNo: second.seqNo,
      primaryTerm: 1,
    });
    expect(await client.getDocument(".missing-index", "x")).toBeUndefined();
    expect(await client.deleteDocument(".esinfer", "lock", { ifSeqNo: second.seqNo, ifPrimaryTerm: 1 })).toEqual({
      deleted: true,
    });
    expect(await client.deleteDocument(".esinfer", "lock")).toEqual({ deleted: false });
  });
});

describe("against injected faults", () => {
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator({ seed: 3 });
  });
  beforeEach(() => em.reset());
  afterAll(() => em.stop());

  it("429 by count: retried after exactly Retry-After, then succeeds", async () => {
    const { client, sleeps } = harness(em);
    em.faults.error({ status: 429, count: 2, method: "GET", retryAfterSeconds: 2 });
    expect(await client.listEndpoints()).toHaveLength(3);
    expect(sleeps).toEqual([2000, 2000]);
    expect(trace(em)).toEqual([
      "GET /_inference/_all 429 fault",
      "GET /_inference/_all 429 fault",
      "GET /_inference/_all 200 handled",
    ]);
  });

  it("502, 503, 504 on reads: retried with exponential backoff and full jitter", async () => {
    const { client, sleeps } = harness(em);
    for (const status of [502, 503, 504]) em.faults.error({ status, count: 1 });
    await client.info();
    // random() = 0.5 of a ceiling that doubles: 100, 200, 400.
    expect(sleeps).toEqual([50, 100, 200]);
    expect(em.requests.list().map((r) => r.status)).toEqual([502, 503, 504, 200]);
  });

  it("5xx at a rate: every failure is retried, the operation succeeds within the count bound", async () => {
    const { client, sleeps } = harness(em, { maxRetries: 10 });
    em.faults.error({ status: 503, rate: 0.4, method: "GET" });
    for (let i = 0; i < 10; i++) await client.info();
    const faults = em.requests.list().filter((r) => r.outcome === "fault").length;
    expect(faults).toBeGreaterThan(0);
    expect(sleeps).toHaveLength(faults);
    expect(em.requests.list().filter((r) => r.outcome === "handled")).toHaveLength(10);
  });

  it("bounded by count: a persistent 503 gives RetryBudgetExceededError after maxRetries + 1 attempts", async () => {
    const { client } = harness(em, { maxRetries: 3 });
    em.faults.error({ status: 503 });
    const e = (await rejection(client.info())) as RetryBudgetExceededError;
    expect(e).toBeInstanceOf(RetryBudgetExceededError);
    expect(e.attempts).toBe(4);
    expect((e.lastError as ElasticsearchError).status).toBe(503);
    expect(em.requests.length).toBe(4);
  });

  it("bounded by total time: Retry-After waits stop at maxRetryTimeMs", async () => {
    const { client, sleeps } = harness(em, { maxRetries: 100, maxRetryTimeMs: 2500 });
    em.faults.error({ status: 429 }); // Retry-After: 1
    const e = (await rejection(client.info())) as RetryBudgetExceededError;
    expect(e).toBeInstanceOf(RetryBudgetExceededError);
    expect(sleeps).toEqual([1000, 1000, 500]);
    expect(em.requests.length).toBe(4);
  });

  it("a dropped connection on a read is retried", async () => {
    const { client } = harness(em);
    em.faults.drop({ count: 1, method: "GET" });
    await client.listEndpoints();
    expect(trace(em)).toEqual(["GET /_inference/_all 0 dropped", "GET /_inference/_all 200 handled"]);
  });

  it("create dropped after it was applied: read back with GET, never sent twice", async () => {
    const { client, logs } = harness(em);
    em.faults.drop({ count: 1, method: "PUT", afterApply: true });
    const r = await client.createEndpoint("text_embedding", "e1", body());
    expect(r.recovered).toBe(true);
    expect(r.endpoint.inference_id).toBe("e1");
    expect(trace(em)).toEqual([
      "PUT /_inference/text_embedding/e1 0 dropped",
      "GET /_inference/text_embedding/e1 200 handled",
    ]);
    expect(logs.some((l) => l.includes("reading it back before any re-send"))).toBe(true);
  });

  it("create dropped before it was applied: GET finds nothing, then the PUT is sent again", async () => {
    const { client } = harness(em);
    em.faults.drop({ count: 1, method: "PUT" });
    const r = await client.createEndpoint("text_embedding", "e1", body());
    expect(r.recovered).toBe(false);
    expect(trace(em)).toEqual([
      "PUT /_inference/text_embedding/e1 0 dropped",
      "GET /_inference/text_embedding/e1 404 handled",
      "PUT /_inference/text_embedding/e1 200 handled",
    ]);
  });

  it("create answered 503 (possibly processed): checked with GET before the re-send; 429 is re-sent directly", async () => {
    const { client } = harness(em);
    em.faults.error({ status: 503, count: 1, method: "PUT" });
    await client.createEndpoint("text_embedding", "e1", body());
    expect(trace(em)).toEqual([
      "PUT /_inference/text_embedding/e1 503 fault",
      "GET /_inference/text_embedding/e1 404 handled",
      "PUT /_inference/text_embedding/e1 200 handled",
    ]);
    em.requests.clear();
    em.faults.error({ status: 429, count: 1, method: "PUT" });
    await client.createEndpoint("text_embedding", "e2", body());
    expect(trace(em)).toEqual([
      "PUT /_inference/text_embedding/e2 429 fault",
      "PUT /_inference/text_embedding/e2 200 handled",
    ]);
  });

  it("create that keeps failing ambiguously gives up within the budget, reading back before every re-send", async () => {
    const { client } = harness(em, { maxRetries: 2 });
    em.faults.drop({ method: "PUT" });
    const e = (await rejection(client.createEndpoint("text_embedding", "e1", body()))) as RetryBudgetExceededError;
    expect(e).toBeInstanceOf(RetryBudgetExceededError);
    expect(e.lastError).toBeInstanceOf(ConnectionError);
    expect(em.requests.list().map((r) => r.method)).toEqual(["PUT", "GET", "PUT", "GET", "PUT", "GET"]);
  });

  it("perform inference is not re-sent after a 502 (a provider call may have been billed)", async () => {
    const { client } = harness(em);
    await client.createEndpoint("text_embedding", "e1", body());
    em.requests.clear();
    em.faults.error({ status: 502, count: 1, method: "POST" });
    const e = (await rejection(client.infer("text_embedding", "e1", { input: "x" }))) as ElasticsearchError;
    expect(e.status).toBe(502);
    expect(em.requests.length).toBe(1);
  });

  it("update is idempotent: re-sent after a dropped connection", async () => {
    const { client } = harness(em);
    await client.createEndpoint("text_embedding", "e1", body());
    em.requests.clear();
    em.faults.drop({ count: 1, method: "PUT", afterApply: true });
    const updated = await client.updateEndpoint("text_embedding", "e1", { task_settings: { user: "u" } });
    expect(updated.task_settings).toEqual({ user: "u" });
    expect(em.requests.list().map((r) => r.outcome)).toEqual(["dropped", "handled"]);
  });

  it("delete whose response was lost: the retry's 404 means it was deleted", async () => {
    const { client } = harness(em);
    await client.createEndpoint("text_embedding", "e1", body());
    em.faults.drop({ count: 1, method: "DELETE", afterApply: true });
    expect(await client.deleteEndpoint("e1")).toEqual({
      acknowledged: true,
      pipelines: [],
      indexes: [],
      recovered: true,
    });
  });

  it("latency past the request timeout: RequestTimeoutError; a read is retried and succeeds", async () => {
    const { client } = harness(em, { requestTimeoutMs: 100, maxRetries: 0 });
    em.faults.latency({ ms: 400, count: 1, method: "GET" });
    const e = await rejection(client.info());
    expect(e).toBeInstanceOf(RequestTimeoutError);
    expect(isTimeout(e)).toBe(true);
    em.faults.latency({ ms: 400, count: 1, method: "GET" });
    const retrying = harness(em, { requestTimeoutMs: 100, maxRetries: 1 });
    expect((await retrying.client.info()).version).toBe(MAIN_VERSION);
  });

  it("latency past the timeout on a create: a GET always comes between two PUTs, and one endpoint results", async () => {
    const { client, logs } = harness(em, { requestTimeoutMs: 150 });
    em.faults.latency({ ms: 400, count: 1, method: "PUT" });
    const r = await client.createEndpoint("text_embedding", "e1", body());
    expect(r.endpoint.inference_id).toBe("e1");
    // Whether the read-back sees the slow PUT depends on timing; the invariant does not. Send order is the client's
    // log order (the emulator logs requests as they finish, so the slow PUT comes last there).
    const sent = logs.filter((l) => l.startsWith("> ")).map((l) => l.split(" ")[1]);
    expect(sent.slice(0, 2)).toEqual(["PUT", "GET"]);
    sent.forEach((method, i) => {
      if (i > 0 && method === "PUT") expect(sent[i - 1]).toBe("GET");
    });
    // Let the delayed first PUT finish on the server before checking its state.
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(em.requests.list({ method: "PUT" }).length).toBe(sent.filter((m) => m === "PUT").length);
    expect(em.endpoints().map((e) => e.inference_id)).toEqual(["e1"]);
  });
});

describe("authentication and redaction against the emulator", () => {
  const KEY = "emulator-key-CANARY-1";
  const BODY_SECRET = "sk-body-CANARY-2";
  const ECHOED = "provider-CANARY-3";
  let em: Emulator;
  beforeAll(async () => {
    em = await startEmulator({ apiKey: KEY });
  });
  beforeEach(() => em.reset());
  afterAll(() => em.stop());

  it("a wrong API key is a typed 401, not retried", async () => {
    const { client } = harness(em, { auth: { apiKey: "wrong-key" } });
    const e = (await rejection(client.info())) as ElasticsearchError;
    expect(isAuthError(e)).toBe(true);
    expect(e).toMatchObject({
      status: 401,
      type: "security_exception",
      reason: "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
    });
    expect(em.requests.length).toBe(1);
  });

  it.each([
    ["basic", { username: "elastic", password: "basic-pw-CANARY-4" }, "basic-pw-CANARY-4"],
    ["bearer", { bearerToken: "bearer-CANARY-5" }, "bearer-CANARY-5"],
  ] as const)("%s credentials the emulator refuses never reach the log or the error", async (_kind, auth, secret) => {
    const { client, logs } = harness(em, { auth });
    const e = (await rejection(client.listEndpoints())) as ElasticsearchError;
    expect(e.status).toBe(401);
    const seen = [...logs, e.message, JSON.stringify(e.body), String(e.stack)].join("\n");
    expect(logs.length).toBeGreaterThanOrEqual(2);
    expect(seen).not.toContain(secret);
    expect(seen).not.toContain(Buffer.from(`elastic:${secret}`).toString("base64"));
  });

  it("no credential, secret body value or echoed secret reaches the verbose log or an error", async () => {
    registerSecretValue(ECHOED); // as the engine does for resolved provider secrets
    const { client, logs } = harness(em, { auth: { apiKey: KEY } });
    await client.createEndpoint("text_embedding", "e1", body(BODY_SECRET));
    await client.updateEndpoint("text_embedding", "e1", { service_settings: { api_key: BODY_SECRET } });
    // The server quotes the unknown setting's value in its error text.
    const e = (await rejection(
      client.createEndpoint("text_embedding", "e2", {
        service: "openai",
        service_settings: { api_key: BODY_SECRET, model_id: "m", weird: ECHOED },
      }),
    )) as ElasticsearchError;
    expect(e.status).toBe(400);
    expect(e.reason).toBe("Configuration contains settings [{weird=(sensitive)}] unknown to the [openai] service");
    const seen = [
      ...logs,
      e.message,
      e.reason,
      JSON.stringify(e.body),
      JSON.stringify(e.rootCause),
      String(e.stack),
    ].join("\n");
    expect(logs.length).toBeGreaterThanOrEqual(6);
    expect(seen).toContain("(sensitive)");
    for (const secret of [KEY, BODY_SECRET, ECHOED]) expect(seen).not.toContain(secret);
    // The emulator's own request log holds no bodies or header values either.
    expect(JSON.stringify(em.requests.list())).not.toMatch(/CANARY/);
  });
});
