/** Fault injection and the request log: latency, 429 + Retry-After, 5xx by count and rate, dropped connections. */
import { errors } from "@elastic/elasticsearch";
import { startEmulator } from "../../lib/emulator";
import { clientFor, openaiEmbedding, raw, useEmulator } from "./helpers";

describe("faults", () => {
  const { em } = useEmulator({ seed: 7 });

  it("answers 429 with Retry-After for the next N matching requests, then recovers", async () => {
    const handle = em().faults.error({
      status: 429,
      count: 2,
      method: "PUT",
      path: "/_inference/*",
      retryAfterSeconds: 3,
    });
    for (let i = 0; i < 2; i++) {
      const res = await raw(em(), "PUT", "/_inference/text_embedding/e1", openaiEmbedding());
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("3");
      expect(res.json.error.type).toBe("es_rejected_execution_exception");
      expect(res.json.status).toBe(429);
    }
    // Unmatched requests are not affected and do not consume the count
    expect((await raw(em(), "GET", "/_inference")).status).toBe(200);
    expect(handle.hits).toBe(2);
    expect(handle.active).toBe(false);
    expect((await raw(em(), "PUT", "/_inference/text_embedding/e1", openaiEmbedding())).status).toBe(200);
  });

  it("injected errors do not apply the request", async () => {
    em().faults.error({ status: 503, count: 1 });
    const res = await raw(em(), "PUT", "/_inference/text_embedding/e1", openaiEmbedding());
    expect(res.status).toBe(503);
    expect((await raw(em(), "GET", "/_inference/e1")).status).toBe(404);
  });

  it("answers 5xx at a rate drawn from the seeded generator (same seed, same sequence)", async () => {
    const run = async () => {
      em().reset();
      em().faults.error({ status: 500, rate: 0.5, path: "/" });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await raw(em(), "GET", "/")).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(0);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(0);
  });

  it("drops the connection without applying the request", async () => {
    em().faults.drop({ count: 1, method: "PUT" });
    await expect(raw(em(), "PUT", "/_inference/text_embedding/e1", openaiEmbedding())).rejects.toThrow();
    expect((await raw(em(), "GET", "/_inference/e1")).status).toBe(404);
    expect(em().requests.list({ method: "PUT" })[0]).toMatchObject({ status: 0, outcome: "dropped" });
  });

  it("drops the connection after applying the request (the create reached the server, the client saw a reset)", async () => {
    const client = clientFor(em());
    em().faults.drop({ count: 1, method: "PUT", afterApply: true });
    await expect(
      client.inference.put({
        inference_id: "e1",
        task_type: "text_embedding",
        inference_config: openaiEmbedding() as any,
      }),
    ).rejects.toBeInstanceOf(errors.ConnectionError);
    expect((await client.inference.get({ inference_id: "e1" })).endpoints).toHaveLength(1);
    await client.close();
  });

  it("adds latency per path (lower bound only)", async () => {
    em().faults.latency({ ms: 30, path: "/_inference" });
    const t0 = performance.now();
    await raw(em(), "GET", "/_inference");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
    expect(em().requests.list({ path: "/_inference" })[0]!.durationMs).toBeGreaterThanOrEqual(25);
  });

  it("clear() removes every fault", async () => {
    em().faults.error({ status: 500 });
    em().faults.clear();
    expect((await raw(em(), "GET", "/")).status).toBe(200);
  });

  it("rejects invalid rates and counts", () => {
    expect(() => em().faults.error({ status: 500, rate: 2 })).toThrow(/between 0 and 1/);
    expect(() => em().faults.drop({ count: -1 })).toThrow(/non-negative/);
  });
});

describe("request log", () => {
  const { em } = useEmulator();

  it("records method, path, query, time, status, duration and outcome; never bodies", async () => {
    await raw(em(), "PUT", "/_inference/text_embedding/e1?timeout=30s", openaiEmbedding({ api_key: "sk-log-canary" }));
    await raw(em(), "DELETE", "/_inference/e1?force=true");
    const records = em().requests.list();
    expect(records.map((r) => [r.method, r.path, r.query, r.status, r.outcome])).toEqual([
      ["PUT", "/_inference/text_embedding/e1", { timeout: "30s" }, 200, "handled"],
      ["DELETE", "/_inference/e1", { force: "true" }, 200, "handled"],
    ]);
    expect(Number.isNaN(Date.parse(records[0]!.time))).toBe(false);
    expect(records[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(records)).not.toContain("sk-log-canary");
    em().requests.clear();
    expect(em().requests.length).toBe(0);
  });

  it("lists requests in arrival order even when an earlier one finishes later", async () => {
    em().faults.latency({ ms: 80, count: 1, path: "/" });
    const slow = raw(em(), "GET", "/");
    await new Promise((r) => setTimeout(r, 20));
    await raw(em(), "GET", "/_inference");
    await slow;
    const records = em().requests.list();
    expect(records.map((r) => r.path)).toEqual(["/", "/_inference"]);
    expect(records[0]!.seq).toBeLessThan(records[1]!.seq);
    expect(records[0]!.durationMs).toBeGreaterThanOrEqual(70);
  });

  it("counts the most requests in flight at once", async () => {
    em().faults.latency({ ms: 40 });
    await Promise.all(Array.from({ length: 5 }, () => raw(em(), "GET", "/")));
    const stats = em().requests.stats();
    expect(stats.maxInFlight).toBe(5);
    expect(stats.total).toBe(5);
    expect(stats.inFlight).toBe(0);
  });
});

it("applies the latencyMs option to every request", async () => {
  const em = await startEmulator({ latencyMs: 25 });
  try {
    const t0 = performance.now();
    await raw(em, "GET", "/");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(20);
  } finally {
    await em.stop();
  }
});
