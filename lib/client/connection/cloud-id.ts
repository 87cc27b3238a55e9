/**
 * Elastic Cloud IDs: `name:base64(host[:port]$es_uuid[:port]$kibana_uuid)`, decoded to the deployment's
 * Elasticsearch URL. Errors never echo the id.
 */
import { ConfigurationError } from "../errors";

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
