/**
 * The state keeper writes the state coalesced and without copying it per change: each store takes its own copy
 * when `write` is called, so changes made while a write is on its way belong to the next write.
 */
import { promises as fs } from "node:fs";
import { join } from "node:path";
import { ElasticsearchClient } from "../../lib/client";
import { StateKeeper } from "../../lib/engine/state-keeper";
import { ClusterStateStore, FileStateStore, type StackState, type StateStore } from "../../lib/engine/state";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { tempDir } from "../helpers/temp";

let emu: Emulator;
let client: ElasticsearchClient;
beforeAll(async () => {
  emu = await startEmulator();
  client = new ElasticsearchClient({ nodes: [emu.url], maxRetries: 0 });
});
afterAll(async () => {
  await client.close();
  await emu.stop();
});

const owned = (status: "creating" | "applied") => ({
  task_type: "text_embedding",
  service: "openai",
  status,
  declared: status === "applied" ? { service: "openai", service_settings: { model_id: "m" } } : {},
  secrets: {},
  updated_at: "2026-12-03T00:00:00.000Z",
});

/** Wraps a store so that `during` runs right after each `write` is called, while the write is on its way. */
function interrupting(store: StateStore, during: () => void): StateStore & { writes: number } {
  const wrapper = {
    description: store.description,
    writes: 0,
    read: () => store.read(),
    lock: (operation: string, timeoutMs: number) => store.lock(operation, timeoutMs),
    forceUnlock: (id: string) => store.forceUnlock(id),
    write(state: StackState) {
      wrapper.writes++;
      const writing = store.write(state);
      during();
      return writing;
    },
  };
  return wrapper;
}

let counter = 0;
const stores: [string, () => StateStore][] = [
  ["file", () => new FileStateStore(join(tempDir("esinfer-keeper-"), "prod.json"), { stack: "prod" })],
  ["cluster", () => new ClusterStateStore(client, { stack: "prod", index: `esinfer-keeper-${++counter}` })],
];

describe.each(stores)("StateKeeper over the %s store", (_name, makeStore) => {
  it("leaves a change made during a write to the next write, which records it", async () => {
    const store = makeStore();
    let keeper: StateKeeper | undefined;
    let interrupted = false;
    const wrapped = interrupting(store, () => {
      if (interrupted) return;
      interrupted = true;
      keeper!.update((s) => void (s.endpoints.b = owned("creating")));
      keeper!.update((s) => void delete s.endpoints.a);
    });
    keeper = new StateKeeper(wrapped, await store.read(), 60_000);
    keeper.update((s) => void (s.endpoints.a = owned("applied")));
    await keeper.flush();

    const first = await store.read();
    expect(first.serial).toBe(1);
    expect(Object.keys(first.endpoints)).toEqual(["a"]);
    expect(first.endpoints.a!.status).toBe("applied");

    await keeper.flush();
    const second = await store.read();
    expect(second.serial).toBe(2);
    expect(Object.keys(second.endpoints)).toEqual(["b"]);
    expect(wrapped.writes).toBe(2);
  });

  it("coalesces changes into one write and writes nothing when nothing changed", async () => {
    const store = makeStore();
    const wrapped = interrupting(store, () => undefined);
    const keeper = new StateKeeper(wrapped, await store.read(), 60_000);
    for (const id of ["a", "b", "c"]) keeper.update((s) => void (s.endpoints[id] = owned("creating")));
    await keeper.flush();
    await keeper.flush();
    expect(wrapped.writes).toBe(1);
    expect(Object.keys((await store.read()).endpoints).sort()).toEqual(["a", "b", "c"]);
  });
});

it("a file write that fails leaves the file as it was and is reported by the next flush", async () => {
  const dir = tempDir("esinfer-keeper-");
  const store = new FileStateStore(join(dir, "prod.json"), { stack: "prod" });
  const keeper = new StateKeeper(store, await store.read(), 60_000);
  keeper.update((s) => void (s.endpoints.a = owned("applied")));
  await keeper.flush();
  const before = await fs.readFile(join(dir, "prod.json"), "utf8");
  // Someone else wrote meanwhile: the keeper's next write conflicts and says so.
  const other = await store.read();
  await store.write(other);
  const afterOther = await fs.readFile(join(dir, "prod.json"), "utf8");
  expect(afterOther).not.toBe(before);
  keeper.update((s) => void (s.endpoints.b = owned("creating")));
  await expect(keeper.flush()).rejects.toThrow(/serial/);
  expect(await fs.readFile(join(dir, "prod.json"), "utf8")).toBe(afterOther);
});
