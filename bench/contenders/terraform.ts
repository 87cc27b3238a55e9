/**
 * Baseline (b): the per-resource model of a Terraform provider, with Terraform's default parallelism of 10.
 * Plan refreshes every resource with its own `GET /_inference/{id}`; apply reads each resource, then creates it
 * (`PUT`) when it is missing.
 */
import { pool, type Contender } from "../contender";
import { getEndpoint, matches, officialClient, putEndpoint } from "./official-client";

/** `terraform plan -parallelism=10` / `terraform apply -parallelism=10`, the default. */
const PARALLELISM = 10;

export const terraform: Contender = {
  async plan(declarations, ctx) {
    const client = officialClient(ctx.url);
    let same = 0;
    let missing = 0;
    try {
      await pool(declarations, PARALLELISM, async (d) => {
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
      await pool(declarations, PARALLELISM, async (d) => {
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
