/** Reading the cluster: one `GET /` and one `GET /_inference/_all`, whatever the number of endpoints. */
import type { ElasticsearchClient } from "../client";
import { registerSecretValue } from "../client";
import { fingerprintSecret, resolveSecret, secretFields, type SecretSource } from "../model";
import type { SecretCheck } from "./compare";
import type { References } from "./plan-types";
import type { LiveState } from "./planner";
import { mapLimit } from "./pool";
import type { DeclaredEndpoint } from "./stack";

export async function readLiveState(client: ElasticsearchClient, url: string): Promise<LiveState> {
  const [info, endpoints] = await Promise.all([client.info(), client.listEndpoints()]);
  return { info, url, endpoints: new Map(endpoints.map((e) => [e.inference_id, e])) };
}

/**
 * Resolves every declared secret once, to fingerprint it with the state's salt. Values are registered for
 * redaction the moment they are read, and never kept.
 */
export function checkSecrets(
  declared: readonly DeclaredEndpoint[],
  salt: string,
  source: SecretSource,
): Map<string, SecretCheck> {
  const checks = new Map<string, SecretCheck>();
  // Many endpoints share a key: one HMAC per distinct value.
  const byValue = new Map<string, string>();
  for (const d of declared) {
    const fingerprints: Record<string, string> = {};
    const unresolved: Record<string, string> = {};
    for (const field of secretFields(d.canonical)) {
      try {
        const value = resolveSecret(field.value, source);
        let fingerprint = byValue.get(value);
        if (fingerprint === undefined) {
          registerSecretValue(value);
          fingerprint = fingerprintSecret(value, salt);
          byValue.set(value, fingerprint);
        }
        fingerprints[field.path] = fingerprint;
      } catch (e) {
        unresolved[field.path] = (e as Error).message;
      }
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
