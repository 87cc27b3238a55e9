/** The official JavaScript client, shared by the two baselines (they differ in their model, not their HTTP). */
import { Client, errors } from "@elastic/elasticsearch";
import { pool, type Contender } from "../contender";
import type { Declaration } from "../declarations";
import { requestBody } from "../declarations";

export function officialClient(url: string): Client {
  return new Client({ node: url });
}

/** `GET /_inference/{id}`: the endpoint's configuration, or undefined when it does not exist (404). */
export async function getEndpoint(client: Client, id: string): Promise<Record<string, unknown> | undefined> {
  try {
    const response = await client.inference.get({ inference_id: id });
    return response.endpoints[0] as unknown as Record<string, unknown>;
  } catch (e) {
    if (e instanceof errors.ResponseError && e.statusCode === 404) return undefined;
    throw e;
  }
}

/** `PUT /_inference/{task_type}/{id}` with the secrets resolved. */
export async function putEndpoint(
  client: Client,
  d: Declaration,
  env: Readonly<Record<string, string>>,
): Promise<void> {
  await client.inference.put({
    inference_id: d.inference_id,
    task_type: d.task_type,
    inference_config: requestBody(d, env) as never,
  });
}

/**
 * What a hand-written comparison does: the declared non-secret settings must equal the stored ones (the cluster
 * never returns secrets, so they cannot be compared).
 */
export function matches(d: Declaration, stored: Record<string, unknown>): boolean {
  const ss = (stored.service_settings ?? {}) as Record<string, unknown>;
  const ts = (stored.task_settings ?? {}) as Record<string, unknown>;
  return (
    stored.service === d.service &&
    stored.task_type === d.task_type &&
    Object.entries(d.service_settings).every(([k, v]) => (typeof v === "object" && v !== null) || ss[k] === v) &&
    Object.entries(d.task_settings ?? {}).every(([k, v]) => ts[k] === v)
  );
}

/**
 * The two baselines' model, at a given parallelism: plan reads every endpoint with its own GET and compares it;
 * apply reads each endpoint, then creates it when missing.
 */
export function perEndpoint(parallelism: number): Contender {
  return {
    async plan(declarations, ctx) {
      const client = officialClient(ctx.url);
      let same = 0;
      let missing = 0;
      try {
        await pool(declarations, parallelism, async (d) => {
          const stored = await getEndpoint(client, d.inference_id);
          if (!stored) missing++;
          else if (matches(d, stored)) same++;
        });
      } finally {
        await client.close();
      }
      return {
        endpoints: same,
        summary: `${missing} missing, ${declarations.length - missing - same} differ, ${same} as declared`,
      };
    },

    async apply(declarations, ctx) {
      const client = officialClient(ctx.url);
      let created = 0;
      try {
        await pool(declarations, parallelism, async (d) => {
          if (await getEndpoint(client, d.inference_id)) return;
          await putEndpoint(client, d, ctx.env);
          created++;
        });
      } finally {
        await client.close();
      }
      return { endpoints: created, summary: `${created} created` };
    },
  };
}
