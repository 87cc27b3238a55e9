/**
 * Version checks the client's callers need before choosing a request form. The client itself sends what it is
 * told; these helpers say what a cluster accepts.
 */
import { isAtLeast, MIN_SUPPORTED_VERSION } from "../catalogue/version";
import type { ClusterInfo } from "./types";

/** Whether the cluster accepts the `timeout` query parameter on create (8.19+ / 9.1+, and serverless). */
export function supportsCreateTimeout(info: Pick<ClusterInfo, "version" | "serverless">): boolean {
  return info.serverless || isAtLeast(info.version, ["8.19.0", "9.1.0"]);
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
