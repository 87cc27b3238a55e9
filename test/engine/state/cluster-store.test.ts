import { ElasticsearchClient } from "../../../lib/client";
import { ClusterStateStore, emptyState, LockReleaseError, StateFormatError } from "../../../lib/engine/state";
import { startEmulator, type Emulator } from "../../../lib/emulator";
import { describeStateStore, withEndpoint, type StoreBackend, type StoreOptions } from "./conformance";

// Against the emulator, whose document routes answer op_type=create / if_seq_no conflicts like Elasticsearch.
let emu: Emulator;
let client: ElasticsearchClient;
let indexCounter = 0;
let index: string;

beforeAll(async () => {
  emu = await startEmulator();
  client = new ElasticsearchClient({ nodes: [emu.url], maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await emu.stop();
});

const clusterStore = (options: StoreOptions = {}, over = client) =>
  new ClusterStateStore(over, { stack: "prod", index, ...options });

const backend: StoreBackend = {
  name: "cluster",
  async fresh() {
    index = `esinfer-state-test-${++indexCounter}`;
  },
  store: clusterStore,
  async plantState(text) {
    const state = typeof text === "string" ? text : text.toString("utf8");
    await client.putDocument(index, "state:prod", { kind: "state", stack: "prod", state }, { refresh: true });
  },
  // What invalid UTF-8 becomes in a JSON string: a lone surrogate.
  plantUndecodable: () => backend.plantState('{"format_version": 1, "stack": "pr\udc80od"}'),
  async storedState() {
    const doc = await client.getDocument(index, "state:prod");
    return doc && JSON.stringify(doc.source);
  },
  async removeState() {
    await client.deleteDocument(index, "state:prod", { refresh: true });
  },
  async plantLock(record) {
    let source: Record<string, unknown>;
    if (typeof record !== "string") source = { kind: "lock", stack: "prod", ...record };
    else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(record);
      } catch {
        parsed = undefined;
      }
      source = parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : { text: record };
    }
    await client.putDocument(index, "lock:prod", source, { refresh: true });
  },
  storedLock: async () => (await client.getDocument(index, "lock:prod"))?.source,
  holderConfig: () => ({ backend: "cluster", url: emu.url, index }),
};

describeStateStore(backend);

// ---------------------------------------------------------------------------------------------------------------
// What only the cluster store does: its documents, and a lock whose cluster stops answering.

let notes: string[];
const store = (options: StoreOptions = {}, over = client) =>
  clusterStore({ onNote: (m) => notes.push(m), pollIntervalMs: 20, ...options }, over);

beforeEach(() => {
  notes = [];
});

describe("ClusterStateStore documents", () => {
  it("describes itself by index and document, default index esinfer-state", () => {
    expect(new ClusterStateStore(client, { stack: "prod" }).description).toBe(
      "cluster index esinfer-state (document state:prod)",
    );
  });

  it("reads a missing document of an existing index as an empty state", async () => {
    await store({ stack: "other" }).write(emptyState("other")); // the index exists now
    expect(await store().read()).toMatchObject({ stack: "prod", serial: 0, endpoints: {} });
  });

  it("keeps the state as a JSON string in one document, with its serial and lineage beside it", async () => {
    const s = store();
    await s.write(withEndpoint(await s.read()));
    const second = await s.write({ ...(await s.read()), cluster_uuid: "uuid-1" });
    const doc = await client.getDocument(index, "state:prod");
    expect(doc?.source).toMatchObject({ kind: "state", stack: "prod", serial: 2, lineage: second.lineage });
    expect(JSON.parse((doc?.source as { state: string }).state)).toEqual(second);
  });

  it("refuses a document without a state string, leaving it untouched", async () => {
    const source = { hello: "world" };
    await client.putDocument(index, "state:prod", source, { refresh: true });
    const err = await store()
      .read()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateFormatError);
    expect((err as Error).message).toContain(`cluster index ${index} (document state:prod)`);
    expect((err as Error).message).toContain("is not an esinfer state document (no `state` string field)");
    await expect(store().write(emptyState("prod"))).rejects.toThrow(StateFormatError);
    expect((await client.getDocument(index, "state:prod"))?.source).toEqual(source);
  });

  it("keeps the lock as a document naming its kind and stack", async () => {
    const held = await store().lock("apply", 0);
    expect((await client.getDocument(index, "lock:prod"))?.source).toMatchObject({
      kind: "lock",
      stack: "prod",
      ...held.info,
    });
    await held.release();
    expect(await client.getDocument(index, "lock:prod")).toBeUndefined();
  });
});

describe("ClusterStateStore lock when the cluster does not answer", () => {
  it("reports failed renewals, and that they work again, without throwing", async () => {
    const held = await store({ leaseMs: 3_000, renewIntervalMs: 100 }).lock("apply", 0);
    const fault = emu.faults.error({ status: 503, method: "PUT", path: /\/_doc\/lock/, count: 2 });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (notes.some((n) => /^renewed the lock/.test(n))) resolve(clearInterval(check));
      }, 20);
    });
    expect(fault.hits).toBe(2);
    expect(notes).toEqual([
      expect.stringMatching(
        new RegExp(
          `^could not renew the lock ${held.info.id} on the stack's state \\(cluster index ${index} \\(document ` +
            `state:prod\\)\\): .*PUT .*503.*; trying again in 100 ms \\(other runs may take the lock over once it has ` +
            `not been renewed for 3 s; last renewed at .*\\)$`,
        ),
      ),
      expect.stringMatching(/^could not renew the lock/),
      `renewed the lock ${held.info.id} on the stack's state (cluster index ${index} (document state:prod)) again, after 2 failed attempts`,
    ]);
    expect(held.lost.aborted).toBe(false);
    await held.release();
    expect(await client.getDocument(index, "lock:prod")).toBeUndefined();
  });

  it("fails a release whose requests were abandoned at once, naming the lock and the force-unlock command", async () => {
    const controller = new AbortController();
    const abandoning = new ElasticsearchClient({ nodes: [emu.url], maxRetries: 0, signal: controller.signal });
    try {
      const held = await store({ leaseMs: 2_000 }, abandoning).lock("apply", 0);
      controller.abort(); // a second Ctrl-C
      const err = await held.release().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockReleaseError);
      expect((err as Error).message).toMatch(
        new RegExp(
          `^could not release the lock ${held.info.id} on the stack's state \\(cluster index ${index} \\(document ` +
            `state:prod\\)\\): DELETE /${index}/_doc/lock%3Aprod\\?\\S+: abandoned, the run was interrupted; it was ` +
            `left in place \\(other runs take it over 2 s after its last renewal\\); to remove it now: esinfer ` +
            `force-unlock ${held.info.id}$`,
        ),
      );
      expect((await client.getDocument(index, "lock:prod"))?.source).toMatchObject({ id: held.info.id });
      // Not renewed any more: another run takes it over once the lease has run out.
      await (await store().lock("apply", 20_000)).release();
      expect(notes.at(-1)).toMatch(/^took over .* its lease of 2 s expired/);
    } finally {
      await abandoning.close();
    }
  });

  it("gives up a release that takes longer than releaseTimeoutMs, which a later call completes", async () => {
    const held = await store({ releaseTimeoutMs: 200 }).lock("apply", 0);
    const slow = emu.faults.latency({ ms: 1_500, method: "DELETE", count: 1 });
    const err = await held.release().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockReleaseError);
    expect((err as Error).message).toMatch(/: no answer within 200 ms; it was left in place .* esinfer force-unlock /);
    expect(slow.hits).toBe(1);
    // The removal under way goes on; a later release() awaits it (never sending another) and succeeds once it is done.
    let released = false;
    for (let attempt = 0; !released; attempt++) {
      if (attempt > 100) throw new Error("the delayed removal never finished");
      released = await held.release().then(
        () => true,
        () => false,
      );
    }
    expect(await client.getDocument(index, "lock:prod")).toBeUndefined();
    expect(emu.requests.list({ method: "DELETE", path: new RegExp(`^/${index}/`) })).toHaveLength(1);
    expect(notes).toEqual([]);
  });
});
