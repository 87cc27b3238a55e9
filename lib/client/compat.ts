/**
 * Version checks the client's callers need before choosing a request form, read from the catalogue's registry of
 * server behavior. The client itself sends what it is told; these helpers say what a cluster accepts.
 */
import { hasBehavior } from "../catalogue/server-behavior";
import { isAtLeast, MIN_SUPPORTED_VERSION } from "../catalogue/version";
import type { ClusterInfo } from "./types";

/** Whether the cluster accepts the `timeout` query parameter on create (`put.timeout`; serverless always). */
export function supportsCreateTimeout(info: Pick<ClusterInfo, "version" | "serverless">): boolean {
  return info.serverless || hasBehavior("put.timeout", info.version);
}

/** Whether the cluster accepts the `timeout` query parameter on `_update` (`update.timeout`; serverless always). */
export function supportsUpdateTimeout(info: Pick<ClusterInfo, "version" | "serverless">): boolean {
  return info.serverless || hasBehavior("update.timeout", info.version);
}

/**
 * Why esinfer cannot manage this cluster, or undefined when it can. Serverless reports a placeholder version
 * number and always runs current code, so it is accepted.
 */
export function unsupportedVersionReason(info: Pick<ClusterInfo, "version" | "serverless">): string | undefined {
  if (info.serverless) return undefined;
  if (isAtLeast(info.version, MIN_SUPPORTED_VERSION)) return undefined;
  return `Elasticsearch ${info.version} is older than ${MIN_SUPPORTED_VERSION}, the oldest version esinfer manages`;
}
