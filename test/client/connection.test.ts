import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  backoffDelay,
  clearSecretValues,
  ConfigurationError,
  connectionFromEnv,
  decodeCloudId,
  isSecretKey,
  normalizeFingerprint,
  parseRetryAfter,
  parseTimeValue,
  redact,
  redactJson,
  registerSecretValue,
  resolveConnection,
  RetryBudget,
  RetryBudgetExceededError,
} from "../../lib/client";

const CANARY = "canary-SECRET-123";
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

function envError(env: NodeJS.ProcessEnv): ConfigurationError {
  try {
    connectionFromEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigurationError);
    return e as ConfigurationError;
  }
  throw new Error("expected connectionFromEnv to throw");
}

afterEach(() => clearSecretValues());

describe("decodeCloudId", () => {
  it("decodes the documented example", () => {
    const id =
      "my-deployment:dXMtZWFzdC0xLmF3cy5mb3VuZC5pbyRjZWM2ZjI2MWE3NGJmMjRjZTMzYmI4ODExYjg0Mjk0ZiRjNmMyY2E2ZDA0MjI0OWFmMGNjN2Q3YTllOTYyNTc0Mw==";
    const parts = decodeCloudId(id);
    expect(parts.url).toBe("https://cec6f261a74bf24ce33bb8811b84294f.us-east-1.aws.found.io");
    expect(parts.name).toBe("my-deployment");
    expect(parts.kibanaUuid).toBe("c6c2ca6d042249af0cc7d7a9e9625743");
  });

  it("keeps a port given after the host, and lets a port on the es uuid win", () => {
    expect(decodeCloudId(`c:${b64("eu-west-1.aws.found.io:9243$abc123$kib")}`).url).toBe(
      "https://abc123.eu-west-1.aws.found.io:9243",
    );
    expect(decodeCloudId(`c:${b64("host.example.com:9243$abc:9400$kib")}`).url).toBe(
      "https://abc.host.example.com:9400",
    );
    expect(decodeCloudId(`c:${b64("host.example.com:443$abc$kib")}`).url).toBe("https://abc.host.example.com");
  });

  it("accepts a name containing ':' and a missing kibana uuid", () => {
    expect(decodeCloudId(`a:b:${b64("host.io$es1")}`).url).toBe("https://es1.host.io");
  });

  it.each([
    ["empty after colon", "name:"],
    ["not base64", "name:***"],
    ["no $ separator", `name:${b64("host.io")}`],
    ["empty es uuid", `name:${b64("host.io$$kib")}`],
    ["bad port", `name:${b64("host.io:99999$es$kib")}`],
    ["bad host", `name:${b64("ho st$es$kib")}`],
  ])("rejects %s without echoing the id", (_what, id) => {
    expect(() => decodeCloudId(id, "ELASTICSEARCH_CLOUD_ID")).toThrow(ConfigurationError);
    try {
      decodeCloudId(id, "ELASTICSEARCH_CLOUD_ID");
    } catch (e) {
      expect((e as Error).message).toContain("ELASTICSEARCH_CLOUD_ID");
      if (id.length > 6) expect((e as Error).message).not.toContain(id.slice(5));
    }
  });
});

describe("connectionFromEnv", () => {
  let tmp: string;
  let caFile: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "esinfer-client-"));
    caFile = path.join(tmp, "ca.pem");
    fs.writeFileSync(caFile, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("returns undefined when no endpoint is configured (credentials alone are not enough)", () => {
    expect(connectionFromEnv({})).toBeUndefined();
    expect(connectionFromEnv({ ELASTICSEARCH_API_KEY: "k", ELASTICSEARCH_ENDPOINTS: "  " })).toBeUndefined();
  });

  it("reads every variable", () => {
    const fp = "AB:".repeat(31) + "AB";
    expect(
      connectionFromEnv({
        ELASTICSEARCH_ENDPOINTS: "https://a:9200, https://b:9200 ,",
        ELASTICSEARCH_API_KEY: "key-value",
        ELASTICSEARCH_CA_FILE: caFile,
        ELASTICSEARCH_CA_FINGERPRINT: fp,
        ELASTICSEARCH_INSECURE: "false",
      }),
    ).toEqual({
      nodes: ["https://a:9200", "https://b:9200"],
      auth: { apiKey: "key-value" },
      caFile,
      caFingerprint: fp,
      insecure: false,
      sources: {
        nodes: "ELASTICSEARCH_ENDPOINTS",
        auth: "ELASTICSEARCH_API_KEY",
        ca: "ELASTICSEARCH_CA_FILE and ELASTICSEARCH_CA_FINGERPRINT",
      },
    });
    expect(
      connectionFromEnv({
        ELASTICSEARCH_URL: "http://localhost:9200",
        ELASTICSEARCH_USERNAME: "elastic",
        ELASTICSEARCH_PASSWORD: "pw",
      }),
    ).toEqual({
      nodes: ["http://localhost:9200"],
      auth: { username: "elastic", password: "pw" },
      sources: { nodes: "ELASTICSEARCH_URL", auth: "ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD" },
    });
    expect(connectionFromEnv({ ELASTICSEARCH_URL: "http://h:9200", ELASTICSEARCH_BEARER_TOKEN: "tok" })).toEqual({
      nodes: ["http://h:9200"],
      auth: { bearerToken: "tok" },
      sources: { nodes: "ELASTICSEARCH_URL", auth: "ELASTICSEARCH_BEARER_TOKEN" },
    });
    const cloud = `c:${b64("host.io$es1$kb1")}`;
    expect(connectionFromEnv({ ELASTICSEARCH_CLOUD_ID: cloud, ELASTICSEARCH_INSECURE: "1" })).toEqual({
      cloudId: cloud,
      insecure: true,
      sources: { nodes: "ELASTICSEARCH_CLOUD_ID", ca: "ELASTICSEARCH_INSECURE" },
    });
    // ELASTICSEARCH_URL equal to the single endpoint is not a contradiction.
    expect(
      connectionFromEnv({ ELASTICSEARCH_URL: "http://h:9200/", ELASTICSEARCH_ENDPOINTS: "http://h:9200" })?.nodes,
    ).toEqual(["http://h:9200"]);
  });

  it.each([
    [
      {
        ELASTICSEARCH_URL: "http://h",
        ELASTICSEARCH_API_KEY: CANARY,
        ELASTICSEARCH_USERNAME: "u",
        ELASTICSEARCH_PASSWORD: CANARY,
      },
      ["ELASTICSEARCH_API_KEY", "ELASTICSEARCH_USERNAME"],
    ],
    [
      { ELASTICSEARCH_URL: "http://h", ELASTICSEARCH_PASSWORD: CANARY },
      ["ELASTICSEARCH_PASSWORD", "ELASTICSEARCH_USERNAME"],
    ],
    [
      { ELASTICSEARCH_URL: "http://h", ELASTICSEARCH_USERNAME: "u" },
      ["ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD"],
    ],
    [
      { ELASTICSEARCH_URL: "http://h", ELASTICSEARCH_BEARER_TOKEN: CANARY, ELASTICSEARCH_API_KEY: CANARY },
      ["ELASTICSEARCH_BEARER_TOKEN", "ELASTICSEARCH_API_KEY"],
    ],
    [
      { ELASTICSEARCH_ENDPOINTS: "http://a", ELASTICSEARCH_URL: "http://b" },
      ["ELASTICSEARCH_ENDPOINTS", "ELASTICSEARCH_URL"],
    ],
    [
      { ELASTICSEARCH_ENDPOINTS: "http://a", ELASTICSEARCH_CLOUD_ID: `c:${b64("h.io$e$k")}` },
      ["ELASTICSEARCH_CLOUD_ID", "ELASTICSEARCH_ENDPOINTS"],
    ],
    [{ ELASTICSEARCH_ENDPOINTS: "not a url", ELASTICSEARCH_API_KEY: CANARY }, ["ELASTICSEARCH_ENDPOINTS"]],
    [{ ELASTICSEARCH_URL: "ftp://h" }, ["ELASTICSEARCH_URL"]],
    [{ ELASTICSEARCH_URL: "http://h?x=1" }, ["ELASTICSEARCH_URL"]],
    [{ ELASTICSEARCH_CLOUD_ID: "nope:%%%" }, ["ELASTICSEARCH_CLOUD_ID"]],
    [{ ELASTICSEARCH_URL: "http://h", ELASTICSEARCH_INSECURE: "maybe" }, ["ELASTICSEARCH_INSECURE"]],
    [{ ELASTICSEARCH_URL: "http://h", ELASTICSEARCH_CA_FINGERPRINT: "abc" }, ["ELASTICSEARCH_CA_FINGERPRINT"]],
    [{ ELASTICSEARCH_URL: "http://h", ELASTICSEARCH_CA_FILE: "/nonexistent/ca.pem" }, ["ELASTICSEARCH_CA_FILE"]],
    [
      { ELASTICSEARCH_URL: "https://h", ELASTICSEARCH_INSECURE: "true", ELASTICSEARCH_CA_FINGERPRINT: "ab".repeat(32) },
      ["ELASTICSEARCH_INSECURE", "ELASTICSEARCH_CA_FINGERPRINT"],
    ],
  ])("rejects contradictions and malformed values, naming the variables: %#", (env, names) => {
    const e = envError(env as NodeJS.ProcessEnv);
    for (const n of names) expect(e.message).toContain(n);
    expect(e.message).not.toContain(CANARY);
  });

  it("never prints a credential embedded in a malformed URL", () => {
    const e = envError({ ELASTICSEARCH_URL: `http://elastic:${CANARY}@bad host:9200` });
    expect(e.message).toContain("ELASTICSEARCH_URL");
    expect(e.message).not.toContain(CANARY);
    expect(e.message).not.toContain("SECRET");
  });
});

describe("resolveConnection", () => {
  it("applies defaults and builds auth headers", () => {
    const r = resolveConnection({ nodes: ["http://localhost:9200/"], auth: { apiKey: "abc==" } });
    expect(r.nodes).toEqual([
      { origin: "http://localhost:9200", pathPrefix: "", display: "http://localhost:9200", https: false },
    ]);
    expect(r.headers["authorization"]).toBe("ApiKey abc==");
    expect(r.headers["accept"]).toBe("application/json");
    expect(r).toMatchObject({
      requestTimeoutMs: 30_000,
      maxRetries: 3,
      maxRetryTimeMs: 60_000,
      maxConnectionsPerNode: 16,
    });
    expect(resolveConnection({ nodes: ["http://h"], auth: { apiKey: "id:key" } }).headers["authorization"]).toBe(
      `ApiKey ${b64("id:key")}`,
    );
    expect(
      resolveConnection({ nodes: ["http://h"], auth: { username: "u", password: "p" } }).headers["authorization"],
    ).toBe(`Basic ${b64("u:p")}`);
    expect(resolveConnection({ nodes: ["http://h"], auth: { bearerToken: "t0k" } }).headers["authorization"]).toBe(
      "Bearer t0k",
    );
  });

  it("resolves a Cloud ID to its https Elasticsearch node", () => {
    const r = resolveConnection({
      cloudId: `prod:${b64("eu-west-1.aws.found.io$abc123$kib456")}`,
      auth: { apiKey: "k" },
    });
    expect(r.nodes).toEqual([
      {
        origin: "https://abc123.eu-west-1.aws.found.io",
        pathPrefix: "",
        display: "https://abc123.eu-west-1.aws.found.io",
        https: true,
      },
    ]);
  });

  it("keeps a path prefix and takes credentials out of node URLs", () => {
    const r = resolveConnection({ nodes: [`https://elastic:${CANARY}@proxy.example.com/es/`] });
    expect(r.nodes[0]).toMatchObject({
      origin: "https://proxy.example.com",
      pathPrefix: "/es",
      display: "https://proxy.example.com/es",
    });
    expect(r.headers["authorization"]).toBe(`Basic ${b64(`elastic:${CANARY}`)}`);
    expect(redact(`oops ${CANARY}`)).toBe("oops (sensitive)");
  });

  it.each([
    [{}, "nodes"],
    [{ nodes: ["http://a"], cloudId: "c:aG9zdCRlcw==" }, "cloudId"],
    [{ nodes: ["http://a"], auth: { apiKey: "k", bearerToken: "t" } as never }, "auth"],
    [{ nodes: ["http://a"], auth: { apiKey: "k", password: "p" } as never }, "auth"],
    [{ nodes: ["http://a"], auth: { password: "p" } as never }, "auth.password"],
    [{ nodes: ["http://a"], auth: { apiKey: "k" }, headers: { Authorization: "x" } }, "headers.Authorization"],
    [{ nodes: ["https://a"], insecure: true, caFingerprint: "ab".repeat(32) }, "insecure"],
    [{ nodes: ["http://a"], maxRetries: -1 }, "maxRetries"],
    [{ nodes: ["http://a"], requestTimeoutMs: 0 }, "requestTimeoutMs"],
    [{ nodes: ["http://a"], caFile: "/nonexistent.pem" }, "caFile"],
  ])("rejects invalid options: %#", (options, name) => {
    expect(() => resolveConnection(options)).toThrow(ConfigurationError);
    expect(() => resolveConnection(options)).toThrow(name);
  });

  it("warns about insecure and about TLS options on http nodes", () => {
    expect(resolveConnection({ nodes: ["https://a"], insecure: true }).warnings.join()).toContain("disabled");
    expect(resolveConnection({ nodes: ["http://a"], caFingerprint: "ab".repeat(32) }).warnings.join()).toContain(
      "no effect",
    );
  });

  it("normalizes fingerprints", () => {
    expect(normalizeFingerprint(" AB:cd" + ":ef".repeat(29) + ":01 ")).toBe("abcd" + "ef".repeat(29) + "01");
  });
});

describe("redaction", () => {
  it("replaces registered values, longest first, including escaped forms", () => {
    registerSecretValue("abc"); // too short: ignored
    registerSecretValue('pass"word');
    registerSecretValue(CANARY);
    registerSecretValue(`${CANARY}-longer`);
    expect(redact("abc")).toBe("abc");
    expect(redact(`x ${CANARY}-longer y ${CANARY}`)).toBe("x (sensitive) y (sensitive)");
    expect(redact(JSON.stringify({ a: 'pass"word' }))).toBe('{"a":"(sensitive)"}');
    expect(redact(`/x/${encodeURIComponent(CANARY + " ")}`)).not.toContain("SECRET");
  });

  it("redacts values under secret keys, whole objects included, but not token counts", () => {
    for (const k of [
      "api_key",
      "secret_key",
      "access_key",
      "client_secret",
      "entra_id",
      "service_account_json",
      "password",
      "token",
      "bearer_token",
      "my_secret_thing",
      "x-api_key-y",
      "refresh_token",
      "Authorization",
    ]) {
      expect(isSecretKey(k)).toBe(true);
    }
    for (const k of ["max_input_tokens", "model_id", "similarity", "tokenizer", "url"])
      expect(isSecretKey(k)).toBe(false);
    const text = redactJson({
      service_settings: { api_key: "unregistered-1", model_id: "m", max_input_tokens: 512 },
      secret_parameters: { a: "unregistered-2", nested: { b: 1 } },
      list: [{ password: 2 }],
    });
    expect(text).not.toContain("unregistered");
    expect(text).toContain('"secret_parameters":"(sensitive)"');
    expect(text).toContain('"max_input_tokens":512');
    expect(text).toContain('"password":"(sensitive)"');
  });
});

describe("retry helpers", () => {
  it("parses Retry-After as seconds or HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter("0.5")).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it("backs off exponentially with full jitter, capped", () => {
    expect(backoffDelay(0, 100, 1000, () => 0.999)).toBe(99);
    expect(backoffDelay(3, 100, 1000, () => 0.999)).toBe(799);
    expect(backoffDelay(10, 100, 1000, () => 0.5)).toBe(500);
    expect(backoffDelay(2, 100, 1000, () => 0)).toBe(0);
  });

  it("bounds retries by count and by time, and caps Retry-After by what is left", () => {
    let clock = 0;
    const settings = {
      maxRetries: 2,
      maxRetryTimeMs: 1000,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 1000,
      sleep: async () => undefined,
      random: () => 0.5,
      now: () => clock,
    };
    const failure = new Error("boom");
    const byCount = new RetryBudget(settings);
    byCount.attempts = 1;
    expect(byCount.nextDelay(failure, "GET", "/")).toBe(50);
    expect(byCount.nextDelay(failure, "GET", "/", { retryAfterMs: 5000 })).toBe(1000);
    expect(() => byCount.nextDelay(failure, "GET", "/")).toThrow(RetryBudgetExceededError);

    const byTime = new RetryBudget({ ...settings, maxRetries: 10 });
    clock = 1000;
    try {
      byTime.nextDelay(failure, "GET", "/x");
      throw new Error("expected to give up");
    } catch (e) {
      expect(e).toBeInstanceOf(RetryBudgetExceededError);
      expect((e as RetryBudgetExceededError).lastError).toBe(failure);
      expect((e as RetryBudgetExceededError).message).toBe("boom; gave up after 0 attempts in 1000 ms (GET /x)");
    }
    expect(() => new RetryBudget({ ...settings, maxRetries: 0 }).nextDelay(failure, "GET", "/")).toThrow(failure);
  });

  it("parses Elasticsearch time values", () => {
    expect(parseTimeValue("30s")).toBe(30_000);
    expect(parseTimeValue("2m")).toBe(120_000);
    expect(parseTimeValue("500ms")).toBe(500);
    expect(parseTimeValue("soon")).toBeUndefined();
  });
});

test.each(["__proto__", "constructor", "toString"])("a header named %s is sent as any other header", (name) => {
  const { headers } = resolveConnection({ nodes: ["http://h:9200"], headers: JSON.parse(`{"${name}": "v"}`) });
  expect(Object.hasOwn(headers, name.toLowerCase())).toBe(true);
  expect({ ...headers }[name.toLowerCase()]).toBe("v");
});

describe("cluster URLs other than http(s) are refused before any request, naming where they came from", () => {
  const urls: [string, string][] = [
    ["javascript:alert(1)", "has the scheme javascript:, but Elasticsearch is reached over http:// or https:// only"],
    ["file:///etc/passwd", "has the scheme file:"],
    ["ftp://h:21", "has the scheme ftp:"],
    ["localhost:9200", "has the scheme localhost:"],
    ["http://exa\tmple.com:9200", "contains control or invisible characters"],
    ["https://h\u202e:9200", "contains control or invisible characters"],
  ];
  test.each(urls)("%j in the nodes option", (url, message) => {
    expect(() => resolveConnection({ nodes: [url] })).toThrow(ConfigurationError);
    expect(() => resolveConnection({ nodes: [url] })).toThrow(`nodes[0]: `);
    expect(() => resolveConnection({ nodes: [url] })).toThrow(message);
  });
  test.each(urls)("%j in ELASTICSEARCH_URL and ELASTICSEARCH_ENDPOINTS", (url, message) => {
    expect(() => connectionFromEnv({ ELASTICSEARCH_URL: url })).toThrow(`ELASTICSEARCH_URL: `);
    expect(() => connectionFromEnv({ ELASTICSEARCH_URL: url })).toThrow(message);
    expect(() => connectionFromEnv({ ELASTICSEARCH_ENDPOINTS: `http://ok:9200,${url}` })).toThrow(
      `ELASTICSEARCH_ENDPOINTS: `,
    );
  });
});
