/**
 * Baseline (a): the script people write with the official client. For each endpoint, one after the other:
 * GET it; if it is missing, PUT it. Its "plan" is the same loop without the PUT.
 */
import type { Contender } from "../contender";
import { getEndpoint, matches, officialClient, putEndpoint } from "./official-client";

export const naive: Contender = {
  async plan(declarations, ctx) {
    const client = officialClient(ctx.url);
    let same = 0;
    let missing = 0;
    try {
      for (const d of declarations) {
        const stored = await getEndpoint(client, d.inference_id);
        if (!stored) missing++;
        else if (matches(d, stored)) same++;
      }
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
      for (const d of declarations) {
        if (await getEndpoint(client, d.inference_id)) continue;
        await putEndpoint(client, d, ctx.env);
        created++;
      }
    } finally {
      await client.close();
    }
    return { endpoints: created, summary: `${created} created` };
  },
};
