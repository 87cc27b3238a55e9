/**
 * Digests of live endpoint configurations: what a saved plan was made against (to refuse it once stale), and what
 * the cluster stored right after the last apply (so an endpoint that neither the declaration nor the cluster
 * changed since is known unchanged without a field-by-field comparison).
 */
import { hash } from "node:crypto";
import type { InferenceEndpoint } from "../client";

const digests = new WeakMap<object, string>();

/**
 * `sha256:<hex>` of an endpoint's configuration as the cluster returns it, in the cluster's own key order (which
 * one server keeps; should another order ever come back, the digests differ and the plan compares field by field).
 */
export function endpointDigest(endpoint: InferenceEndpoint): string {
  let digest = digests.get(endpoint);
  if (digest === undefined) {
    digest = `sha256:${hash("sha256", JSON.stringify(endpoint))}`;
    digests.set(endpoint, digest);
  }
  return digest;
}
