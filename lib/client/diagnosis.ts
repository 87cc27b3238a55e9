/**
 * What a failed request means and what to do about it, in words: the lead of the client's error messages. Each
 * names the node and the setting or environment variable it came from (the connection's `sources`), the credential
 * or certificate setting to check, or the privilege to grant. The request path and Node's or the server's raw
 * codes follow in the error's detail, never first.
 */
import type { AuthKind, ResolvedConnection, ResolvedNode } from "./connection";
import { FINGERPRINT_MISMATCH } from "./tls";

/** What the diagnosis needs to know of the connection. */
export type DiagnosisContext = Pick<ResolvedConnection, "sources" | "authKind" | "tls">;

const CA_SETTINGS =
  "caFile (ELASTICSEARCH_CA_FILE) to the cluster's CA certificate, e.g. config/certs/http_ca.crt, or caFingerprint " +
  "(ELASTICSEARCH_CA_FINGERPRINT) to the SHA-256 fingerprint of that certificate";

const CERTIFICATE_NOT_TRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_REJECTED",
]);

/** `https://host:9200 (from ELASTICSEARCH_URL)`. */
function where(node: ResolvedNode | string, ctx: DiagnosisContext): string {
  return `${typeof node === "string" ? node : node.display} (from ${ctx.sources.nodes})`;
}

/** The connection failed before a complete response arrived (Node's or undici's `code`). */
export function connectionAdvice(
  code: string | undefined,
  causeMessage: string,
  node: ResolvedNode,
  ctx: DiagnosisContext,
): string {
  const at = where(node, ctx);
  const ca = ctx.sources.ca ? ` (from ${ctx.sources.ca})` : "";
  if (code === FINGERPRINT_MISMATCH)
    return (
      `no certificate of ${at} matches the pinned CA fingerprint${ca}: check the fingerprint, or whether this ` +
      `is the cluster you meant (its certificate may have been replaced)`
    );
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
    return (
      `the TLS certificate of ${at} is not valid for the host name ${hostnameOf(node)}: use a host name the ` +
      `certificate names in the URL, or pin the cluster's certificate with caFingerprint (ELASTICSEARCH_CA_FINGERPRINT)`
    );
  if (code !== undefined && CERTIFICATE_NOT_TRUSTED.has(code))
    return ctx.tls.ca
      ? `the TLS certificate of ${at} is not signed by the CA certificate of caFile${ca}: check that the file holds the cluster's CA`
      : `the TLS certificate of ${at} is ${code === "DEPTH_ZERO_SELF_SIGNED_CERT" ? "self-signed" : "signed by a CA this machine does not trust"}: set ${CA_SETTINGS}`;
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID")
    return (
      `the TLS certificate of ${at} ${code === "CERT_HAS_EXPIRED" ? "has expired" : "is not valid yet"}: renew ` +
      `the cluster's certificate, or check this machine's clock`
    );
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || /wrong version number|packet length too long/i.test(causeMessage))
    return node.https
      ? `${at} does not answer with TLS although the URL starts with https://: if the cluster serves plain HTTP, use http://${hostOf(node)}`
      : `the TLS handshake with ${at} failed: check whether the URL should start with https://`;
  if (code?.startsWith("ERR_SSL_") || code?.startsWith("ERR_TLS_") || code === "EPROTO")
    return `the TLS handshake with ${at} failed: check the URL's scheme and port, and the cluster's TLS settings`;
  switch (code) {
    case "ECONNREFUSED":
      return `nothing accepts connections at ${at}: check that Elasticsearch runs there and that the URL's host and port are right`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `the host name ${hostnameOf(node)} of ${at} cannot be resolved: check the URL's host name (and this machine's DNS)`;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return `${at} cannot be reached from this machine: check the network, VPN or firewall between them`;
    case "UND_ERR_CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return `connecting to ${at} timed out: the host may be down, or a firewall drops the connection`;
  }
  // The connection broke after it was made. An https server reading plain HTTP closes the connection like this.
  const plainToTls = node.https ? "" : "; if the cluster serves HTTPS, the URL must start with https://";
  return `the connection to ${at} broke before the response arrived (the request may have been processed)${plainToTls}`;
}

/** No complete response within the per-request timeout. */
export function timeoutAdvice(node: ResolvedNode | string, timeoutMs: number, ctx: DiagnosisContext): string {
  return (
    `${where(node, ctx)} did not answer within ${timeoutMs} ms (the request may have been processed): check the ` +
    `cluster's health and load, or allow more time with requestTimeoutMs (request_timeout_ms of a manifest's cluster)`
  );
}

/**
 * Advice for an error response Elasticsearch's security layer gave (401, 403); undefined for the others, whose
 * reason says it all (an inference endpoint's provider refusing its own key is a 401 `status_exception`, not the
 * cluster refusing esinfer's credentials).
 */
export function responseAdvice(
  status: number,
  type: string | undefined,
  method: string,
  path: string,
  node: string,
  ctx: DiagnosisContext,
): string | undefined {
  // A proxy in front of the cluster answers without Elasticsearch's error body (type undefined).
  if (type !== undefined && type !== "security_exception") return undefined;
  if (status === 401) {
    const source = ctx.sources.auth;
    if (ctx.authKind === undefined || source === undefined)
      return (
        `${where(node, ctx)} requires credentials and none are set: set an API key (ELASTICSEARCH_API_KEY, or ` +
        `api_key / auth.apiKey of the cluster), or a user name and password, or a bearer token`
      );
    return `${where(node, ctx)} refused the credentials from ${source}: ${CREDENTIAL_CHECKS[ctx.authKind]}`;
  }
  if (status === 403) {
    const who = ctx.sources.auth ? `the credentials from ${ctx.sources.auth}` : "the anonymous user";
    return `${who} lack${ctx.sources.auth ? "" : "s"} a privilege at ${where(node, ctx)}: grant ${privilegeFor(method, path)}`;
  }
  return undefined;
}

const CREDENTIAL_CHECKS: Readonly<Record<AuthKind, string>> = {
  apiKey:
    "check that the API key is the encoded key (or id:api_key) of an API key of this cluster that is not expired or invalidated",
  basic: "check the user name and password (and that the user exists in this cluster's realm)",
  bearerToken: "check the token: it may have expired or belong to another cluster",
  header: "check the Authorization header",
};

/** The privilege a request needs, as Elasticsearch's security names it. */
export function privilegeFor(method: string, path: string): string {
  const bare = path.split("?")[0]!;
  const segments = bare.split("/").filter(Boolean);
  if (segments[0] === "_inference") {
    // Performing inference is cluster:monitor/xpack/inference; everything else is cluster:admin/xpack/inference/*.
    const infer = method === "POST" && segments.length === 3 && !segments[2]!.startsWith("_");
    return infer
      ? "the cluster privilege monitor_inference (or manage_inference) to perform inference"
      : "the cluster privilege manage_inference, which the inference API needs";
  }
  if (segments.length === 0) return "the cluster privilege monitor (GET / reads the cluster's version)";
  const index = decodeURIComponent(segments[0]!);
  const action = segments[1];
  if (action === "_mapping") return `the index privilege view_index_metadata on ${index}`;
  if (action === "_refresh") return `the index privilege maintenance on ${index}`;
  const reads = method === "GET" || action === "_mget";
  return reads
    ? `the index privilege read on ${index}`
    : `the index privileges read, write and create_index on ${index} (esinfer writes its documents there)`;
}

/** `host:port` of the node's URL (its host name alone with `hostnameOf`). */
function hostOf(node: ResolvedNode | string, part: "host" | "hostname" = "host"): string {
  const display = typeof node === "string" ? node : node.display;
  try {
    return new URL(display)[part];
  } catch {
    return display;
  }
}

const hostnameOf = (node: ResolvedNode | string) => hostOf(node, "hostname");
