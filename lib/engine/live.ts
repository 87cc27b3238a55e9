/** Reading the cluster: one `GET /` and one `GET /_inference/_all`, whatever the number of endpoints. */
import type { ElasticsearchClient } from "../client";
import { registerSecretValue } from "../client";
import {
  LiteralSecret,
  describeSecret,
  fingerprintSecret,
  resolveSecret,
  secretFields,
  type SecretSource,
  type SecretValue,
} from "../model";
import type { SecretCheck } from "./compare";
import type { References } from "./plan-types";
import type { LiveState } from "./planner";
import { mapLimit } from "./pool";
import type { DeclaredEndpoint } from "./stack";

export async function readLiveState(client: ElasticsearchClient, url: string): Promise<LiveState> {
  const [info, endpoints] = await Promise.all([client.info(), client.listEndpoints()]);
  return { info, url, endpoints: new Map(endpoints.map((e) => [e.inference_id, e])) };
}

/** A secret reference resolved: its value's fingerprint, or why it cannot be resolved. */
type Resolution = { readonly fingerprint: string } | { readonly unresolved: string };

/**
 * Resolves every declared secret reference once, to fingerprint it with the state's salt. Values are registered
 * for redaction the moment they are read, and never kept: what is remembered per reference is its fingerprint.
 */
export function checkSecrets(
  declared: readonly Pick<DeclaredEndpoint, "canonical">[],
  salt: string,
  source: SecretSource,
): Map<string, SecretCheck> {
  const checks = new Map<string, SecretCheck>();
  // Many endpoints share a key: each reference (environment variable, file as written) is read and HMAC'd once.
  const byReference = new Map<string, Resolution>();
  const resolveOnce = (value: SecretValue): Resolution => {
    const key = value instanceof LiteralSecret ? undefined : describeSecret(value);
    let resolution = key === undefined ? undefined : byReference.get(key);
    if (resolution === undefined) {
      try {
        const plain = resolveSecret(value, source);
        registerSecretValue(plain);
        resolution = { fingerprint: fingerprintSecret(plain, salt) };
      } catch (e) {
        resolution = { unresolved: (e as Error).message };
      }
      if (key !== undefined) byReference.set(key, resolution);
    }
    return resolution;
  };
  for (const d of declared) {
    const fingerprints: Record<string, string> = {};
    const unresolved: Record<string, string> = {};
    for (const field of secretFields(d.canonical)) {
      const resolution = resolveOnce(field.value);
      if ("fingerprint" in resolution) fingerprints[field.path] = resolution.fingerprint;
      else unresolved[field.path] = resolution.unresolved;
    }
    checks.set(d.canonical.inference_id, { fingerprints, unresolved });
  }
  return checks;
}

/** What uses each endpoint about to be replaced or deleted: `DELETE ...?dry_run=true`, only for those. */
export async function readReferences(
  client: ElasticsearchClient,
  ids: readonly string[],
  parallelism: number,
): Promise<Map<string, References>> {
  const found = await mapLimit(ids, parallelism, async (id) => {
    const r = await client.deleteEndpoint(id, { dryRun: true });
    return [id, { pipelines: r.pipelines, indexes: r.indexes }] as const;
  });
  return new Map(found);
}
