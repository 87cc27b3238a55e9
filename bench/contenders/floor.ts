/**
 * Reference (not a contender): the least any client can do over HTTP against the emulator. Apply sends the N PUTs
 * with undici at esinfer's default parallelism (8), checking nothing and keeping no state; plan is the single
 * `GET /_inference/_all`. What esinfer takes beyond it is esinfer's own cost.
 */
import { Pool } from "undici";
import { pool, type Contender } from "../contender";
import { requestBody } from "../declarations";

const PARALLELISM = 8;

async function send(http: Pool, method: "GET" | "PUT", path: string, body?: unknown): Promise<unknown> {
  const response = await http.request({
    method,
    path,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
  return JSON.parse(text);
}

export const floor: Contender = {
  async plan(declarations, ctx) {
    const http = new Pool(ctx.url, { connections: 16 });
    try {
      const { endpoints } = (await send(http, "GET", "/_inference/_all")) as { endpoints: { inference_id: string }[] };
      const ids = new Set(endpoints.map((e) => e.inference_id));
      const found = declarations.filter((d) => ids.has(d.inference_id)).length;
      return { endpoints: found, summary: `${found} present (not compared)` };
    } finally {
      await http.close();
    }
  },

  async apply(declarations, ctx) {
    const http = new Pool(ctx.url, { connections: 16 });
    try {
      await pool(declarations, PARALLELISM, async (d) => {
        await send(http, "PUT", `/_inference/${d.task_type}/${d.inference_id}`, requestBody(d, ctx.env));
      });
    } finally {
      await http.close();
    }
    return { endpoints: declarations.length, summary: `${declarations.length} created` };
  },
};
