/**
 * Connection settings: the options a client is built from, their validation and normalization, Elastic Cloud ID
 * decoding, and reading them from the environment with the Elastic Terraform provider's variable names.
 *
 * Error messages name the option or variable at fault and never contain a credential value.
 */
import * as fs from "node:fs";
import { ConfigurationError } from "./errors";
import { registerSecretValue, safeUrl } from "./redact";

/** How the client authenticates. Exactly one form. */
export type Auth =
  /** `Authorization: ApiKey <key>`. The encoded key (base64 of `id:api_key`), or `id:api_key`, which is encoded. */
  | { apiKey: string }
  /** HTTP Basic. */
  | { username: string; password: string }
  /** `Authorization: Bearer <token>` (e.g. a service account token). */
  | { bearerToken: string };

/** Options of {@link ElasticsearchClient} (and of the lower-level {@link Transport}). */
export interface ConnectionOptions {
  /**
   * Node URLs (`http(s)://host:port[/prefix]`). Requests go round-robin and fail over to the next node on
   * connection errors. Exactly one of `nodes` and `cloudId`.
   */
  nodes?: string[];
  /** Elastic Cloud ID (`name:base64(host$es_uuid$kibana_uuid)`). Exactly one of `nodes` and `cloudId`. */
  cloudId?: string;
  auth?: Auth;
  /** Path of a PEM file with the CA certificate(s) to trust instead of the system store. */
  caFile?: string;
  /**
   * SHA-256 fingerprint (hex, colons optional) of a certificate in the server's chain: the server certificate
   * itself or a CA that signed it. Pins that certificate; the system trust store is then not consulted.
   */
  caFingerprint?: string;
  /** Skip TLS verification entirely. Only when asked for; a warning is emitted every time a client is created. */
  insecure?: boolean;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Per-request timeout (whole response received), default 30 000 ms. */
  requestTimeoutMs?: number;
  /**
   * Retries after the first attempt for retryable failures, default 3. When retries run out the client throws
   * {@link RetryBudgetExceededError} (with the last failure); with 0, the failure itself is thrown.
   */
  maxRetries?: number;
  /** Total time across all attempts of one operation after which no retry is started, default 60 000 ms. */
  maxRetryTimeMs?: number;
  /** First backoff ceiling; doubled on every retry (full jitter: the delay is random in [0, ceiling]). Default 250 ms. */
  retryBaseDelayMs?: number;
  /** Upper bound of the backoff ceiling, default 10 000 ms. */
  retryMaxDelayMs?: number;
  /** Keep-alive connections per node, default 16. */
  maxConnectionsPerNode?: number;
  /** Receives one redacted line per request and per response. Unset: no request logging. */
  verbose?: (line: string) => void;
  /** Receives warnings (e.g. `insecure`). Default: `console.warn`. */
  warn?: (message: string) => void;
  /** `User-Agent` header, default `esinfer`. */
  userAgent?: string;
  /**
   * Abandons every request in flight and refuses new ones when it fires (a second Ctrl-C): they reject with
   * {@link RequestAbortedError}, retry waits included.
   */
  signal?: AbortSignal;
  /** Injectable delay, for tests. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable randomness in [0, 1) for backoff jitter, for tests. Default: `Math.random`. */
  random?: () => number;
  /** Injectable clock in ms for the retry time budget, for tests. Default: `performance.now()`. */
  now?: () => number;
}

/** Defaults applied by {@link resolveConnection}. */
export const DEFAULTS = {
  requestTimeoutMs: 30_000,
  maxRetries: 3,
  maxRetryTimeMs: 60_000,
  retryBaseDelayMs: 250,
  retryMaxDelayMs: 10_000,
  maxConnectionsPerNode: 16,
  userAgent: "esinfer",
} as const;

/** One node after validation. */
export interface ResolvedNode {
  /** `protocol//host:port` as undici wants it. */
  origin: string;
  /** Path prefix without trailing slash (`""` or e.g. `/es`), for clusters behind a path-routing proxy. */
  pathPrefix: string;
  /** For logs and errors: origin plus prefix, never credentials. */
  display: string;
  https: boolean;
}

/** TLS settings after validation. */
export interface ResolvedTls {
  /** PEM text of the CA file. */
  ca?: string;
  /** Lowercase hex, no colons. */
  caFingerprint?: string;
  insecure: boolean;
}

/** Options after validation and defaults; what the transport runs on. */
export interface ResolvedConnection {
  nodes: ResolvedNode[];
  /** Headers sent with every request, `Authorization` included. Never log these. */
  headers: Record<string, string>;
  tls: ResolvedTls;
  requestTimeoutMs: number;
  maxRetries: number;
  maxRetryTimeMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  maxConnectionsPerNode: number;
  /** Warnings to emit when a client is created from these options. */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Cloud ID

/** A decoded Elastic Cloud ID. */
export interface CloudIdParts {
  /** The deployment name before the `:` (may be empty). */
  name: string;
  /** Elasticsearch URL: `https://<es_uuid>.<host>[:port]`. */
  url: string;
  host: string;
  port?: number;
  esUuid: string;
  kibanaUuid?: string;
}

/**
 * Decodes an Elastic Cloud ID, `name:base64(host[:port]$es_uuid[:port]$kibana_uuid)`, into the Elasticsearch URL
 * `https://<es_uuid>.<host>[:port]`. A port given with the uuid wins over one given with the host (as in the
 * official Python client); port 443 is left out of the URL. Throws {@link ConfigurationError} without echoing
 * the id.
 */
export function decodeCloudId(cloudId: string, label = "cloudId"): CloudIdParts {
  const text = cloudId.trim();
  // The name may itself contain ':' but base64 never does: split at the last one.
  const colon = text.lastIndexOf(":");
  const name = colon >= 0 ? text.slice(0, colon) : "";
  const encoded = colon >= 0 ? text.slice(colon + 1) : text;
  const bad = (why: string) =>
    new ConfigurationError(
      `${label}: not a valid Elastic Cloud ID (${why}); expected "name:base64(host$es_uuid$kibana_uuid)"`,
    );
  if (encoded === "") throw bad("nothing after the ':'");
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw bad("the part after the ':' is not base64");
  const decoded = Buffer.from(
    encoded,
    encoded.includes("-") || encoded.includes("_") ? "base64url" : "base64",
  ).toString("utf8");
  const parts = decoded.split("$");
  if (parts.length < 2 || parts.length > 3)
    throw bad("the decoded text does not have the form host$es_uuid$kibana_uuid");
  const [hostPart = "", esPart = "", kibanaPart] = parts.map((p) => p.trim());
  const [host, hostPort] = splitPort(hostPart);
  const [esUuid, esPort] = splitPort(esPart);
  if (!/^[A-Za-z0-9.-]+$/.test(host) || host.startsWith(".") || host.endsWith("."))
    throw bad("the host is not a host name");
  if (!/^[A-Za-z0-9-]+$/.test(esUuid)) throw bad("the Elasticsearch id is missing or malformed");
  if (hostPort === null || esPort === null) throw bad("a port is not a number between 1 and 65535");
  const port = esPort ?? hostPort;
  const url = `https://${esUuid}.${host}${port !== undefined && port !== 443 ? `:${port}` : ""}`;
  return {
    name,
    url,
    host,
    ...(port !== undefined ? { port } : {}),
    esUuid,
    ...(kibanaPart ? { kibanaUuid: splitPort(kibanaPart)[0] } : {}),
  };
}

/** `host:port` → [host, port]; port undefined when absent, null when not a valid port. */
function splitPort(text: string): [string, number | undefined | null] {
  const i = text.lastIndexOf(":");
  if (i < 0) return [text, undefined];
  const portText = text.slice(i + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  return [text.slice(0, i), port >= 1 && port <= 65535 ? port : null];
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

/** Parses one node URL. `label` names the option or variable in errors; the URL is shown without credentials. */
export function parseNodeUrl(raw: string, label: string): { node: ResolvedNode; username?: string; password?: string } {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(`${label}: "${safeUrl(text)}" is not a valid URL (expected http(s)://host:port)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(`${label}: "${safeUrl(text)}" must start with http:// or https://`);
  }
  if (url.search || url.hash) {
    throw new ConfigurationError(`${label}: "${safeUrl(text)}" must not contain a query string or fragment`);
  }
  const pathPrefix = url.pathname.replace(/\/+$/, "");
  const origin = `${url.protocol}//${url.host}`;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  registerSecretValue(password);
  return {
    node: { origin, pathPrefix, display: origin + pathPrefix, https: url.protocol === "https:" },
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/** Normalizes a SHA-256 fingerprint to lowercase hex without colons; throws naming `label`. */
export function normalizeFingerprint(raw: string, label = "caFingerprint"): string {
  const hex = raw.replace(/[\s:]/g, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new ConfigurationError(
      `${label}: expected a SHA-256 fingerprint (64 hex digits, colons optional), got ${hex.length} characters`,
    );
  }
  return hex;
}

function positiveNumber(
  value: number | undefined,
  fallback: number,
  name: string,
  integer: boolean,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new ConfigurationError(
      `${name}: expected ${integer ? "an integer" : "a number"} >= ${min}, got ${String(value)}`,
    );
  }
  return value;
}

function authHeader(auth: Auth): string {
  const a = auth as Partial<{ apiKey: unknown; username: unknown; password: unknown; bearerToken: unknown }>;
  const given = [
    a.apiKey !== undefined && "apiKey",
    (a.username !== undefined || a.password !== undefined) && "username/password",
    a.bearerToken !== undefined && "bearerToken",
  ].filter((k): k is string => typeof k === "string");
  if (given.length !== 1) {
    throw new ConfigurationError(
      given.length === 0
        ? "auth: expected one of {apiKey}, {username, password}, {bearerToken}"
        : `auth: use only one of apiKey, username/password, bearerToken (got ${given.join(" and ")})`,
    );
  }
  if (a.apiKey !== undefined) {
    if (typeof a.apiKey !== "string" || a.apiKey.trim() === "")
      throw new ConfigurationError("auth.apiKey: must be a non-empty string");
    const key = a.apiKey.trim();
    registerSecretValue(key);
    // The encoded form is base64 and never contains ':'; `id:api_key` is the raw pair, which the header wants encoded.
    const encoded = key.includes(":") ? Buffer.from(key, "utf8").toString("base64") : key;
    registerSecretValue(encoded);
    return `ApiKey ${encoded}`;
  }
  if (a.bearerToken !== undefined) {
    if (typeof a.bearerToken !== "string" || a.bearerToken.trim() === "") {
      throw new ConfigurationError("auth.bearerToken: must be a non-empty string");
    }
    registerSecretValue(a.bearerToken.trim());
    return `Bearer ${a.bearerToken.trim()}`;
  }
  if (typeof a.username !== "string" || a.username === "") {
    throw new ConfigurationError("auth.password: is set but auth.username is not");
  }
  if (typeof a.password !== "string" || a.password === "") {
    throw new ConfigurationError("auth.username: is set but auth.password is not");
  }
  registerSecretValue(a.password);
  const basic = Buffer.from(`${a.username}:${a.password}`, "utf8").toString("base64");
  registerSecretValue(basic);
  return `Basic ${basic}`;
}

/**
 * Validates options and applies defaults. Registers every credential with the redactor. Throws
 * {@link ConfigurationError}.
 */
export function resolveConnection(options: ConnectionOptions): ResolvedConnection {
  const warnings: string[] = [];
  const hasNodes = options.nodes !== undefined && options.nodes.length > 0;
  const hasCloud = options.cloudId !== undefined && options.cloudId.trim() !== "";
  if (hasNodes && hasCloud) throw new ConfigurationError("nodes and cloudId: set one, not both");
  if (!hasNodes && !hasCloud) throw new ConfigurationError("nodes: at least one node URL (or a cloudId) is required");

  let urlUser: { username: string; password: string } | undefined;
  const nodes: ResolvedNode[] = [];
  if (hasCloud) {
    nodes.push(parseNodeUrl(decodeCloudId(options.cloudId!).url, "cloudId").node);
  } else {
    options.nodes!.forEach((raw, i) => {
      const label = `nodes[${i}]`;
      if (typeof raw !== "string") throw new ConfigurationError(`${label}: must be a string`);
      const parsed = parseNodeUrl(raw, label);
      if (parsed.username !== undefined || parsed.password !== undefined) {
        const creds = { username: parsed.username ?? "", password: parsed.password ?? "" };
        if (urlUser && (urlUser.username !== creds.username || urlUser.password !== creds.password)) {
          throw new ConfigurationError(`${label}: credentials in node URLs differ between nodes`);
        }
        urlUser = creds;
      }
      if (!nodes.some((n) => n.display === parsed.node.display)) nodes.push(parsed.node);
    });
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (typeof value !== "string") throw new ConfigurationError(`headers.${name}: must be a string`);
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw new ConfigurationError(`headers: "${name}" is not a valid header name`);
    headers[name.toLowerCase()] = value;
  }
  headers["user-agent"] = options.userAgent ?? headers["user-agent"] ?? DEFAULTS.userAgent;
  headers["accept"] = "application/json";

  let auth = options.auth;
  if (urlUser) {
    if (auth) throw new ConfigurationError("nodes: a node URL carries credentials and auth is set too; use one");
    auth = urlUser;
  }
  if (auth) {
    if (headers["authorization"] !== undefined) {
      throw new ConfigurationError("headers.Authorization: conflicts with auth; set the credentials in one place");
    }
    headers["authorization"] = authHeader(auth);
  } else if (headers["authorization"] !== undefined) {
    registerSecretValue(headers["authorization"]);
  }

  const tls: ResolvedTls = { insecure: options.insecure === true };
  if (options.insecure === true && (options.caFile || options.caFingerprint)) {
    throw new ConfigurationError(
      `insecure: contradicts ${options.caFile ? "caFile" : "caFingerprint"} (insecure turns certificate verification off)`,
    );
  }
  if (options.caFingerprint) tls.caFingerprint = normalizeFingerprint(options.caFingerprint);
  if (options.caFile) {
    let pem: string;
    try {
      pem = fs.readFileSync(options.caFile, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigurationError(`caFile: cannot read "${options.caFile}" (${code})`);
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
      throw new ConfigurationError(`caFile: "${options.caFile}" contains no PEM certificate`);
    }
    tls.ca = pem;
  }
  if ((tls.insecure || tls.ca || tls.caFingerprint) && !nodes.some((n) => n.https)) {
    warnings.push("TLS options (caFile, caFingerprint, insecure) have no effect: no node uses https://");
  }
  if (tls.insecure && nodes.some((n) => n.https)) {
    warnings.push(
      "TLS certificate verification is disabled (insecure): the connection to Elasticsearch can be intercepted. " +
        "Prefer caFile or caFingerprint.",
    );
  }

  return {
    nodes,
    headers,
    tls,
    requestTimeoutMs: positiveNumber(options.requestTimeoutMs, DEFAULTS.requestTimeoutMs, "requestTimeoutMs", false, 1),
    maxRetries: positiveNumber(options.maxRetries, DEFAULTS.maxRetries, "maxRetries", true, 0),
    maxRetryTimeMs: positiveNumber(options.maxRetryTimeMs, DEFAULTS.maxRetryTimeMs, "maxRetryTimeMs", false, 0),
    retryBaseDelayMs: positiveNumber(options.retryBaseDelayMs, DEFAULTS.retryBaseDelayMs, "retryBaseDelayMs", false, 0),
    retryMaxDelayMs: positiveNumber(options.retryMaxDelayMs, DEFAULTS.retryMaxDelayMs, "retryMaxDelayMs", false, 0),
    maxConnectionsPerNode: positiveNumber(
      options.maxConnectionsPerNode,
      DEFAULTS.maxConnectionsPerNode,
      "maxConnectionsPerNode",
      true,
      1,
    ),
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Environment

/** Environment variables read by {@link connectionFromEnv}. */
export const ENV = {
  endpoints: "ELASTICSEARCH_ENDPOINTS",
  url: "ELASTICSEARCH_URL",
  cloudId: "ELASTICSEARCH_CLOUD_ID",
  apiKey: "ELASTICSEARCH_API_KEY",
  username: "ELASTICSEARCH_USERNAME",
  password: "ELASTICSEARCH_PASSWORD",
  bearerToken: "ELASTICSEARCH_BEARER_TOKEN",
  caFile: "ELASTICSEARCH_CA_FILE",
  caFingerprint: "ELASTICSEARCH_CA_FINGERPRINT",
  insecure: "ELASTICSEARCH_INSECURE",
} as const;

// Go's strconv.ParseBool, which the Terraform provider uses for ELASTICSEARCH_INSECURE.
const TRUE_VALUES = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_VALUES = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * Connection options from environment variables, named as the Elastic Terraform provider names them
 * (`ELASTICSEARCH_ENDPOINTS`, `ELASTICSEARCH_USERNAME`, `ELASTICSEARCH_PASSWORD`, `ELASTICSEARCH_API_KEY`,
 * `ELASTICSEARCH_BEARER_TOKEN`, `ELASTICSEARCH_INSECURE`), plus `ELASTICSEARCH_URL`, `ELASTICSEARCH_CLOUD_ID`,
 * `ELASTICSEARCH_CA_FILE` and `ELASTICSEARCH_CA_FINGERPRINT`. Empty values count as unset.
 *
 * Returns undefined when no endpoint (endpoints, URL or Cloud ID) is set. Throws {@link ConfigurationError},
 * naming the variables, for contradictions and malformed values; credential values are registered with the
 * redactor first and never printed.
 */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionOptions | undefined {
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  const apiKey = get(ENV.apiKey);
  const username = get(ENV.username);
  const password = get(ENV.password);
  const bearerToken = get(ENV.bearerToken);
  // Before anything can fail: no later message may contain these.
  [apiKey, password, bearerToken].forEach((v) => registerSecretValue(v?.trim()));

  const endpointsText = get(ENV.endpoints);
  const urlText = get(ENV.url);
  const cloudId = get(ENV.cloudId);

  const options: ConnectionOptions = {};
  if (cloudId !== undefined) {
    const withCloud = [endpointsText && ENV.endpoints, urlText && ENV.url].filter(Boolean);
    if (withCloud.length > 0) {
      throw new ConfigurationError(
        `${ENV.cloudId} and ${withCloud.join(", ")}: set either a Cloud ID or endpoints, not both`,
      );
    }
    decodeCloudId(cloudId, ENV.cloudId);
    options.cloudId = cloudId.trim();
  } else {
    const nodes: string[] = [];
    if (endpointsText !== undefined) {
      const list = endpointsText
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (list.length === 0) throw new ConfigurationError(`${ENV.endpoints}: contains no URL`);
      list.forEach((u) => parseNodeUrl(u, ENV.endpoints));
      nodes.push(...list);
    }
    if (urlText !== undefined) {
      parseNodeUrl(urlText, ENV.url);
      const u = urlText.trim();
      if (nodes.length > 0 && !(nodes.length === 1 && sameUrl(nodes[0]!, u))) {
        throw new ConfigurationError(`${ENV.endpoints} and ${ENV.url}: both set and they differ; set one`);
      }
      if (nodes.length === 0) nodes.push(u);
    }
    if (nodes.length === 0) return undefined;
    options.nodes = nodes;
  }

  if (apiKey !== undefined && (username !== undefined || password !== undefined)) {
    throw new ConfigurationError(
      `${ENV.apiKey} and ${username !== undefined ? ENV.username : ENV.password}: set an API key or a username and password, not both`,
    );
  }
  if (bearerToken !== undefined && (apiKey !== undefined || username !== undefined || password !== undefined)) {
    const other = apiKey !== undefined ? ENV.apiKey : username !== undefined ? ENV.username : ENV.password;
    throw new ConfigurationError(`${ENV.bearerToken} and ${other}: set only one kind of credential`);
  }
  if (password !== undefined && username === undefined) {
    throw new ConfigurationError(`${ENV.password} is set but ${ENV.username} is not`);
  }
  if (username !== undefined && password === undefined) {
    throw new ConfigurationError(`${ENV.username} is set but ${ENV.password} is not`);
  }
  if (apiKey !== undefined) options.auth = { apiKey: apiKey.trim() };
  else if (bearerToken !== undefined) options.auth = { bearerToken: bearerToken.trim() };
  else if (username !== undefined && password !== undefined) options.auth = { username, password };

  const caFile = get(ENV.caFile);
  if (caFile !== undefined) {
    try {
      fs.accessSync(caFile, fs.constants.R_OK);
    } catch (e) {
      throw new ConfigurationError(
        `${ENV.caFile}: cannot read "${caFile}" (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`,
      );
    }
    options.caFile = caFile;
  }
  const fingerprint = get(ENV.caFingerprint);
  if (fingerprint !== undefined) {
    normalizeFingerprint(fingerprint, ENV.caFingerprint);
    options.caFingerprint = fingerprint.trim();
  }
  const insecure = get(ENV.insecure);
  if (insecure !== undefined) {
    const v = insecure.trim();
    if (TRUE_VALUES.has(v)) options.insecure = true;
    else if (FALSE_VALUES.has(v)) options.insecure = false;
    else throw new ConfigurationError(`${ENV.insecure}: expected true or false, got "${v.slice(0, 20)}"`);
    if (options.insecure && (caFile !== undefined || fingerprint !== undefined)) {
      throw new ConfigurationError(
        `${ENV.insecure}=true contradicts ${caFile !== undefined ? ENV.caFile : ENV.caFingerprint} (insecure turns verification off)`,
      );
    }
  }
  return options;
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href.replace(/\/+$/, "") === new URL(b).href.replace(/\/+$/, "");
  } catch {
    return false;
  }
}
