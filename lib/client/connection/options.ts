/**
 * Connection options: what a client is built from, their validation and defaults, and where each came from (for
 * messages that name the option or variable at fault). Error messages never contain a credential value.
 */
import * as fs from "node:fs";
import { hasUnsafeCharacters } from "../../model/text";
import { ConfigurationError } from "../errors";
import { registerSecretValue, safeUrl } from "../redact";
import { decodeCloudId } from "./cloud-id";

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
  /**
   * Where the settings came from, named in error messages so a user knows what to fix: e.g. `ELASTICSEARCH_URL`,
   * `cluster.url of manifest stack.json`, `the ElasticsearchCluster construct`. Default: the options themselves
   * (`the nodes option`, ...). {@link connectionFromEnv} fills it with the variables it read.
   */
  sources?: ConnectionSources;
}

/** Where each part of the connection options came from (see {@link ConnectionOptions.sources}). */
export interface ConnectionSources {
  /** Of `nodes` or `cloudId`. */
  readonly nodes?: string;
  /** Of `auth` (the credential). */
  readonly auth?: string;
  /** Of `caFile`, `caFingerprint` or `insecure`. */
  readonly ca?: string;
}

/** How requests authenticate, for advice on a refused credential. */
export type AuthKind = "apiKey" | "basic" | "bearerToken" | "header";

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
  /** Where the settings came from: the given sources, else the option names. */
  sources: Required<Pick<ConnectionSources, "nodes">> & ConnectionSources;
  /** How requests authenticate; undefined without credentials. */
  authKind: AuthKind | undefined;
}

/** Parses one node URL. `label` names the option or variable in errors; the URL is shown without credentials. */
export function parseNodeUrl(raw: string, label: string): { node: ResolvedNode; username?: string; password?: string } {
  const text = raw.trim();
  // The URL parser silently drops tabs and newlines: what would be used is not what was written.
  if (hasUnsafeCharacters(text))
    throw new ConfigurationError(
      `${label}: the URL contains control or invisible characters; write it again by hand (expected http(s)://host:port)`,
    );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigurationError(`${label}: "${safeUrl(text)}" is not a valid URL (expected http(s)://host:port)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigurationError(
      `${label}: "${safeUrl(text)}" has the scheme ${url.protocol.slice(0, 20)}, but Elasticsearch is reached over ` +
        `http:// or https:// only (expected http(s)://host:port)`,
    );
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

function authHeader(auth: Auth): { header: string; kind: AuthKind } {
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
    return { header: `ApiKey ${encoded}`, kind: "apiKey" };
  }
  if (a.bearerToken !== undefined) {
    if (typeof a.bearerToken !== "string" || a.bearerToken.trim() === "") {
      throw new ConfigurationError("auth.bearerToken: must be a non-empty string");
    }
    registerSecretValue(a.bearerToken.trim());
    return { header: `Bearer ${a.bearerToken.trim()}`, kind: "bearerToken" };
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
  return { header: `Basic ${basic}`, kind: "basic" };
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

  // Header names are the user's: a null-prototype object keeps `__proto__` or `constructor` as names.
  const headers: Record<string, string> = Object.create(null);
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
  let authKind: AuthKind | undefined;
  if (auth) {
    if (headers["authorization"] !== undefined) {
      throw new ConfigurationError("headers.Authorization: conflicts with auth; set the credentials in one place");
    }
    const { header, kind } = authHeader(auth);
    headers["authorization"] = header;
    authKind = kind;
  } else if (headers["authorization"] !== undefined) {
    registerSecretValue(headers["authorization"]);
    authKind = "header";
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
    sources: {
      nodes: options.sources?.nodes ?? (hasCloud ? "the cloudId option" : "the nodes option"),
      ...(authKind !== undefined
        ? { auth: options.sources?.auth ?? (authKind === "header" ? "the Authorization header" : "the auth option") }
        : {}),
      ...(tls.ca || tls.caFingerprint || tls.insecure
        ? {
            ca:
              options.sources?.ca ??
              (tls.insecure ? "the insecure option" : tls.ca ? "the caFile option" : "the caFingerprint option"),
          }
        : {}),
    },
    authKind,
  };
}
