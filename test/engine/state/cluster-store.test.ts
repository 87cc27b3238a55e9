import { ElasticsearchClient } from "../../../lib/client";
import {
  ClusterStateStore,
  emptyState,
  ForceUnlockError,
  SecretInStateError,
  StateConflictError,
  StateFormatError,
  StateLockedError,
  type StackState,
} from "../../../lib/engine/state";
import { startEmulator, type Emulator } from "../../../lib/emulator";
import { LiteralSecret } from "../../../lib/model/secrets";

// Against the emulator, whose document routes answer op_type=create / if_seq_no conflicts like Elasticsearch.
let emu: Emulator;
let client: ElasticsearchClient;
let notes: string[];
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
beforeEach(() => {
  notes = [];
  index = `esinfer-state-test-${++indexCounter}`;
});

const store = (stack = "prod") =>
  new ClusterStateStore(client, { stack, index, onNote: (m) => notes.push(m), pollIntervalMs: 20 });

function withEndpoint(state: StackState, declared: Record<string, unknown> = {}): StackState {
  return {
    ...state,
    endpoints: {
      "my-openai": {
        task_type: "text_embedding",
        service: "openai",
        status: "creating",
        declared: { service_settings: { api_key: { env: "OPENAI_API_KEY" }, "odd.key with spaces": 1 }, ...declared },
        secrets: { "service_settings.api_key": "hmac-sha256:0123456789abcdef0123456789abcdef" },
        updated_at: "2026-01-01T00:00:00.000Z",
      },
    },
  };
}

describe("ClusterStateStore read and write", () => {
  it("describes itself by index and document, default index esinfer-state", () => {
    expect(new ClusterStateStore(client, { stack: "prod" }).description).toBe(
      "cluster index esinfer-state (document state:prod)",
    );
  });

  it("reads a missing index, or a missing document, as an empty state", async () => {
    expect(await store().read()).toMatchObject({ stack: "prod", serial: 0, endpoints: {} });
    await store("other").write(emptyState("other")); // the index exists now
    expect(await store().read()).toMatchObject({ stack: "prod", serial: 0, endpoints: {} });
  });

  it("round-trips a state as a JSON string in one document, incrementing the serial", async () => {
    const s = store();
    const first = await s.write(withEndpoint(await s.read()));
    expect(first.serial).toBe(1);
    expect(await store().read()).toEqual(first);
    const second = await s.write({ ...first, cluster_uuid: "uuid-1" });
    expect(second.serial).toBe(2);
    expect(await store().read()).toEqual(second);
    const doc = await client.getDocument(index, "state:prod");
    expect(doc?.source).toMatchObject({ kind: "state", stack: "prod", serial: 2, lineage: second.lineage });
    expect(JSON.parse((doc?.source as { state: string }).state)).toEqual(second);
  });

  it("fails the second of two writers that read the same version", async () => {
    await store().write(emptyState("prod"));
    const a = store();
    const b = store();
    const readA = await a.read();
    const readB = await b.read();
    const written = await a.write(withEndpoint(readA));
    await expect(b.write(readB)).rejects.toThrow(StateConflictError);
    // Also a store that did not read it itself (no remembered version).
    await expect(store().write(readB)).rejects.toThrow(/holds serial 2 .* state read was serial 1/);
    expect(await store().read()).toEqual(written);
  });

  it("fails the second of two writers creating the first state", async () => {
    const a = store();
    const b = store();
    const readA = await a.read();
    const readB = await b.read();
    await a.write(readA);
    await expect(b.write(readB)).rejects.toThrow(/the document was created meanwhile/);
  });

  it("writes a state read by another store instance when it is still current", async () => {
    const read = await store().read();
    const first = await store().write(read);
    await expect(store().write(first)).resolves.toMatchObject({ serial: 2 });
  });

  it("refuses a corrupt or foreign document, leaving it untouched", async () => {
    for (const source of [
      { state: "{not json" },
      { hello: "world" },
      { state: JSON.stringify(emptyState("staging")) },
    ]) {
      await client.putDocument(index, "state:prod", source, { refresh: true });
      const err = await store()
        .read()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateFormatError);
      expect((err as Error).message).toContain(`cluster index ${index} (document state:prod)`);
      await expect(store().write(emptyState("prod"))).rejects.toThrow(StateFormatError);
      expect((await client.getDocument(index, "state:prod"))?.source).toEqual(source);
    }
  });

  it("refuses a literal secret, writing nothing", async () => {
    const CANARY = "sk-canary-cluster-91b2";
    const s = store();
    const state = withEndpoint(await s.read(), { service_settings: { api_key: new LiteralSecret(CANARY) } });
    const err = await s.write(state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretInStateError);
    expect((err as Error).message).not.toContain(CANARY);
    expect(await client.getDocument(index, "state:prod")).toBeUndefined();
  });
});

describe("ClusterStateStore lock", () => {
  it("refuses a second lock with timeout 0, naming the holder read back from the lock document", async () => {
    const held = await store().lock("apply", 0);
    const err = await store()
      .lock("plan", 0)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockedError);
    expect((err as StateLockedError).holder).toEqual(held.info);
    expect((err as Error).message).toContain(held.info.id);
    expect((await client.getDocument(index, "lock:prod"))?.source).toMatchObject({ kind: "lock", ...held.info });
    await held.release();
    expect(await client.getDocument(index, "lock:prod")).toBeUndefined();
    expect(notes).toEqual([]);
  });

  it("waits for a held lock until it is released, and gives up after the timeout", async () => {
    const first = await store().lock("apply", 0);
    const started = Date.now();
    await expect(store().lock("apply", 100)).rejects.toThrow(StateLockedError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    setTimeout(() => void first.release(), 150);
    const second = await store().lock("apply", 5000);
    expect(second.info.id).not.toBe(first.info.id);
    await second.release();
  });

  it("lets exactly one of many concurrent lockers in at a time", async () => {
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        const held = await store().lock("apply", 10_000);
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
        await held.release();
      }),
    );
    expect(maxInside).toBe(1);
  });

  it("locks stacks independently", async () => {
    const a = await store("a").lock("apply", 0);
    const b = await store("b").lock("apply", 0);
    await a.release();
    await b.release();
  });

  it("never releases someone else's lock", async () => {
    const a = await store().lock("apply", 0);
    await store().forceUnlock(a.info.id);
    const b = await store().lock("apply", 0);
    await a.release();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(new RegExp(`lock ${a.info.id} .*no longer held by this run`));
    expect((await client.getDocument(index, "lock:prod"))?.source).toMatchObject({ id: b.info.id });
    await b.release();
    expect(await client.getDocument(index, "lock:prod")).toBeUndefined();
  });

  it("force-unlocks only the lock with the given id", async () => {
    await expect(store().forceUnlock("any")).rejects.toThrow(/is not locked/);
    const held = await store().lock("apply", 0);
    await expect(store().forceUnlock("wrong-id")).rejects.toThrow(ForceUnlockError);
    await expect(store().forceUnlock("wrong-id")).rejects.toThrow(
      new RegExp(`has id ${held.info.id} .*not wrong-id; nothing was removed`),
    );
    expect(await client.getDocument(index, "lock:prod")).toBeDefined();
    await store().forceUnlock(held.info.id);
    expect(await client.getDocument(index, "lock:prod")).toBeUndefined();
  });
});
