/**
 * The state-store conformance suite: what every `StateStore` promises, run against each backend by its test file
 * (file-store.test.ts, cluster-store.test.ts) through a {@link StoreBackend} that plants and inspects what the
 * store keeps. Backend-specific behavior (atomic rename, modes, document shapes) stays in those files.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { hostname } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import {
  emptyState,
  ForceUnlockError,
  LockLeaseSettingError,
  LockLostError,
  SecretInStateError,
  StateConflictError,
  StateFormatError,
  StateLockedError,
  type FileStateStoreOptions,
  type HeldLock,
  type StackState,
  type StateStore,
} from "../../../lib/engine/state";
import { LiteralSecret } from "../../../lib/model/secrets";
import { reportFigure } from "../../helpers/report";

/** Options a test passes to a backend's stores (the stack defaults to `prod`). */
export type StoreOptions = Partial<Omit<FileStateStoreOptions, "stack">> & { readonly stack?: string };

/** A store as the suite uses it: its locks are `HeldLock`s. */
export type TestStore = Omit<StateStore, "lock"> & { lock(...args: Parameters<StateStore["lock"]>): Promise<HeldLock> };

/** What the suite needs of a backend: stores over one storage, and ways to plant and inspect what they keep. */
export interface StoreBackend {
  readonly name: string;
  /** Fresh, empty storage for the next test (a directory, an index). */
  fresh(): Promise<void>;
  /** A new store of the current storage. */
  store(options?: StoreOptions): TestStore;
  /** Stores `text` as the stack's state, bypassing the store (file: its bytes; cluster: the `state` field). */
  plantState(text: string | Buffer): Promise<void>;
  /** Stores a state whose text cannot be decoded (file: invalid UTF-8; cluster: a lone surrogate). */
  plantUndecodable(): Promise<void>;
  /** What is stored as the state, exactly (file: the file's text; cluster: the whole document as JSON). */
  storedState(): Promise<string | undefined>;
  /** Removes the state as someone else would (file: deleted; cluster: document deleted). */
  removeState(): Promise<void>;
  /** Stores `record` as the lock (an object as JSON; a string as is, cluster: wrapped in a foreign document). */
  plantLock(record: Record<string, unknown> | string): Promise<void>;
  /** The stored lock record, or undefined when there is no lock. */
  storedLock(): Promise<Record<string, unknown> | undefined>;
  /** The arguments of lock-holder.ts that reach the same storage. */
  holderConfig(): Record<string, unknown>;
}

const CANARY = "sk-canary-7f3a9c1e5b";
const FINGERPRINT = "hmac-sha256:0123456789abcdef0123456789abcdef";
/** Names of members of `Object.prototype`: as endpoint ids they are entries like any other. */
const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

/** `state` owning one openai endpoint (`my-openai`, or `id`), its key a reference with a fingerprint. */
export function withEndpoint(state: StackState, declared: Record<string, unknown> = {}, id = "my-openai"): StackState {
  return {
    ...state,
    endpoints: {
      ...state.endpoints,
      [id]: {
        task_type: "text_embedding",
        service: "openai",
        status: "applied",
        declared: {
          service: "openai",
          service_settings: {
            api_key: { env: "OPENAI_API_KEY" },
            model_id: "text-embedding-3-small",
            "odd.key with spaces": 1,
          },
          ...declared,
        },
        secrets: { "service_settings.api_key": FINGERPRINT },
        updated_at: "2026-01-01T00:00:00.000Z",
      },
    },
  };
}

/** The pid of a process that has exited. */
export function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

/** A lock record as another run would have written it. */
function lockRecord(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: "3f1c0a52-0000-4000-8000-000000000001",
    operation: "apply",
    who: "ci@ci-runner-7 pid 4242",
    created_at: now,
    host: "ci-runner-7",
    pid: 4242,
    lease_ms: 300,
    renewed_at: now,
    renewals: 0,
    ...fields,
  };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await wait(20);
  }
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (outcome === undefined) throw new Error("expected a rejection");
  return outcome;
}

/** A lock-holder.ts child process: its lock id once it holds the lock. */
interface Holder {
  readonly child: ChildProcess;
  readonly lockId: string;
  readonly stderr: () => string;
}

async function spawnHolder(config: Record<string, unknown>): Promise<Holder> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(__dirname, "lock-holder.ts"), JSON.stringify(config)],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const lockId = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      const m = /^locked (\S+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.on("exit", (code) => reject(new Error(`lock holder exited (${code}) before locking: ${stderr}`)));
  });
  return { child, lockId, stderr: () => stderr };
}

async function kill(holder: Holder): Promise<void> {
  const exited = new Promise((r) => holder.child.once("exit", r));
  holder.child.kill("SIGKILL");
  await exited;
}

/** Registers the conformance tests of one backend. */
export function describeStateStore(backend: StoreBackend): void {
  let notes: string[];
  const store = (options: StoreOptions = {}) =>
    backend.store({ onNote: (m) => notes.push(m), pollIntervalMs: 20, ...options });

  beforeEach(async () => {
    notes = [];
    await backend.fresh();
  });

  describe(`${backend.name} store: read and write`, () => {
    it("reads a missing state as an empty one (serial 0, fresh lineage and salt), storing nothing", async () => {
      const a = await store().read();
      const b = await store().read();
      expect(a).toMatchObject({ format_version: 2, stack: "prod", serial: 0, endpoints: {} });
      expect(a.lineage).toMatch(/^[0-9a-f-]{36}$/);
      expect(a.salt).toMatch(/^[0-9a-f]{32}$/);
      expect([b.lineage, b.salt]).not.toEqual([a.lineage, a.salt]);
      expect(await backend.storedState()).toBeUndefined();
    });

    it("round-trips a state, incrementing the serial on every write", async () => {
      const s = store();
      const first = await s.write(withEndpoint(await s.read()));
      expect(first.serial).toBe(1);
      expect(await store().read()).toEqual(first);
      const second = await s.write({ ...first, cluster_uuid: "uuid-1" });
      expect(second.serial).toBe(2);
      const reread = await store().read();
      expect(reread).toEqual(second);
      expect(reread.endpoints["my-openai"]?.declared).toEqual(
        withEndpoint(emptyState("x")).endpoints["my-openai"]!.declared,
      );
    });

    it("writes a state another store instance read, when it is still current", async () => {
      const first = await store().write(await store().read());
      await expect(store().write(first)).resolves.toMatchObject({ serial: 2 });
    });

    it("fails a stale write (the second of two writers that read the same serial), keeping the first's state", async () => {
      await store().write(emptyState("prod")); // serial 1
      const a = store();
      const b = store();
      const readA = await a.read();
      const readB = await b.read();
      const written = await a.write(withEndpoint(readA));
      await expect(b.write({ ...readB, cluster_uuid: "other" })).rejects.toThrow(StateConflictError);
      // Also from a store that did not read it itself.
      const err = await rejection(store().write(readB));
      expect(err).toBeInstanceOf(StateConflictError);
      expect(err.message).toMatch(/serial 2.*serial 1|changed since serial 1/);
      expect(await store().read()).toEqual(written);
    });

    it("fails all but one of two first writers of a new state", async () => {
      const a = store();
      const b = store();
      const readA = await a.read();
      const readB = await b.read();
      await a.write(readA);
      await expect(b.write(readB)).rejects.toThrow(StateConflictError);
    });

    it("fails a write when the state was deleted, or replaced by another lineage", async () => {
      const s = store();
      const written = await s.write(await s.read());
      await backend.removeState();
      await expect(store().write(written)).rejects.toThrow(/gone/);
      await store().write(emptyState("prod"));
      await expect(store().write({ ...written, serial: 1 })).rejects.toThrow(/lineage/);
    });

    it("lets exactly one of several concurrent writers of the same serial win; the others conflict", async () => {
      await store().write(emptyState("prod"));
      for (let round = 0; round < 3; round++) {
        const stores = Array.from({ length: 4 }, () => store());
        const reads = await Promise.all(stores.map((s) => s.read()));
        const outcomes = await Promise.allSettled(
          stores.map((s, i) => s.write({ ...reads[i]!, cluster_uuid: `writer-${round}-${i}` })),
        );
        const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
        expect(won).toHaveLength(1);
        for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(StateConflictError);
        expect((await store().read()).cluster_uuid).toBe(`writer-${round}-${won[0]}`);
      }
    });

    it("writes the state as it was when write was called, not as it is changed afterwards", async () => {
      const s = store();
      const state = withEndpoint(await s.read());
      const writing = s.write(state);
      state.cluster_uuid = "changed-later";
      state.endpoints["my-openai"]!.status = "creating";
      await writing;
      const read = await store().read();
      expect(read.cluster_uuid).toBeUndefined();
      expect(read.endpoints["my-openai"]?.status).toBe("applied");
    });

    it("refuses to write a state of another stack", async () => {
      await expect(store().write(emptyState("staging"))).rejects.toThrow(/stack "staging"/);
      expect(await backend.storedState()).toBeUndefined();
    });
  });

  describe(`${backend.name} store: names are data`, () => {
    it("reads endpoint ids and secret paths named like Object.prototype members as entries, and writes them back", async () => {
      // Built as text: in an object literal, "__proto__" would set a prototype instead of naming an entry.
      const PROTO = "PROTO-PLACEHOLDER";
      const entry = (model: string) =>
        JSON.stringify({
          task_type: "text_embedding",
          service: "openai",
          status: "applied",
          declared: { service_settings: { model_id: model, [PROTO]: { polluted: true } } },
          secrets: { [PROTO]: FINGERPRINT, constructor: FINGERPRINT },
          updated_at: "2026-01-01T00:00:00.000Z",
        }).replaceAll(`"${PROTO}"`, '"__proto__"');
      const endpoints = PROTOTYPE_NAMES.map((id) => `${JSON.stringify(id)}: ${entry(`m-${id}`)}`);
      const text = JSON.stringify({ ...emptyState("prod"), endpoints: PROTO }).replace(
        `"${PROTO}"`,
        `{${endpoints.join(", ")}}`,
      );
      await backend.plantState(text);

      const read = await store().read();
      expect(Object.keys(read.endpoints).sort()).toEqual([...PROTOTYPE_NAMES].sort());
      expect(Object.getPrototypeOf(read.endpoints)).toBeNull();
      for (const id of PROTOTYPE_NAMES) {
        expect(Object.hasOwn(read.endpoints, id)).toBe(true);
        expect(read.endpoints[id]!.declared).toMatchObject({ service_settings: { model_id: `m-${id}` } });
        expect(Object.keys(read.endpoints[id]!.secrets).sort()).toEqual(["__proto__", "constructor"]);
      }
      expect(read.endpoints["__proto__"]!.secrets["__proto__"]).toBe(FINGERPRINT);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      // Not owned means absent, whatever the name.
      const empty = await store({ stack: "other" }).read();
      for (const id of PROTOTYPE_NAMES) expect(empty.endpoints[id]).toBeUndefined();

      const written = await store().write(read);
      const reread = await store().read();
      expect(Object.keys(reread.endpoints).sort()).toEqual([...PROTOTYPE_NAMES].sort());
      expect(reread.endpoints["__proto__"]?.declared).toEqual(read.endpoints["__proto__"]?.declared);
      expect(reread.serial).toBe(written.serial);
      expect(Object.keys(reread.endpoints["__proto__"]!.declared["service_settings"] as object)).toContain("__proto__");
    });
  });

  describe(`${backend.name} store: unusable stored states are refused and never overwritten`, () => {
    async function expectUntouched(plant: () => Promise<void>, message: RegExp) {
      await plant();
      const before = await backend.storedState();
      const err = await rejection(store().read());
      expect(err).toBeInstanceOf(StateFormatError);
      expect(err.message).toContain(store().description);
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/left it untouched/);
      expect(err.message).not.toMatch(/\n/);
      await expect(store().write(emptyState("prod"))).rejects.toThrow(StateFormatError);
      expect(await backend.storedState()).toBe(before);
    }
    const json = (state: unknown) => JSON.stringify(state);

    it.each([
      ["corrupt JSON", '{"format_version": 1, "stack": "pr', /not valid JSON/],
      ["a foreign document", '{"name": "my-app", "version": "1.0.0"}\n', /not an esinfer state/],
      ["a newer format", json({ ...emptyState("prod"), format_version: 3 }), /newer esinfer \(state format 3/],
      ["an older format", json({ ...emptyState("prod"), format_version: "0" }), /unsupported format_version "0"/],
      ["an invalid state", json({ ...emptyState("prod"), serial: -1 }), /is invalid: serial:/],
      [
        "an invalid endpoint",
        json(withEndpoint({ ...emptyState("prod") }, {}, "bad")).replace('"status":"applied"', '"status":"gone"'),
        /is invalid: endpoints\.bad\.status:/,
      ],
      ["another stack's state", json(emptyState("staging")), /stack "staging", not of stack "prod"/],
      ["an array", "[]", /not an esinfer state/],
    ])("%s", (_what, text, message) => expectUntouched(() => backend.plantState(text), message));

    it("text that is not valid UTF-8 (or, in a document, not valid Unicode)", () =>
      expectUntouched(() => backend.plantUndecodable(), /is not valid (UTF-8|Unicode) text \(.* at offset \d+\)/));

    it("reads a state behind a byte-order mark, and writes it back without one", async () => {
      const state = withEndpoint(emptyState("prod"));
      await backend.plantState(`\ufeff${JSON.stringify({ ...state, serial: 3 })}`);
      const read = await store().read();
      expect(read).toEqual({ ...state, serial: 3 });
      await store().write(read);
      expect(await backend.storedState()).not.toMatch(/\ufeff|\u00ef\u00bb\u00bf/);
      expect((await store().read()).serial).toBe(4);
    });
  });

  describe(`${backend.name} store: secret values are never written`, () => {
    async function expectRefused(state: StackState, pathPattern: RegExp) {
      const before = await backend.storedState();
      const err = await rejection(store().write(state));
      expect(err).toBeInstanceOf(SecretInStateError);
      expect(err.message).toMatch(pathPattern);
      expect(err.message).not.toContain(CANARY);
      expect(await backend.storedState()).toBe(before);
    }

    it("refuses a LiteralSecret in a declared field, writing nothing", () =>
      expectRefused(
        withEndpoint(emptyState("prod"), { service_settings: { api_key: new LiteralSecret(CANARY), model_id: "m" } }),
        /endpoints\.my-openai\.declared\.service_settings\.api_key holds a literal secret/,
      ));

    it("refuses it also over an existing state, which stays as it was", async () => {
      const written = await store().write(emptyState("prod"));
      await expectRefused(
        withEndpoint(written, { task_settings: { nested: [{ x: new LiteralSecret(CANARY) }] } }),
        /declared\.task_settings\.nested\.0\.x/,
      );
    });

    it("refuses a plain string under a secret key, and a fingerprint that is not one", async () => {
      await expectRefused(
        withEndpoint(emptyState("prod"), { service_settings: { api_key: CANARY } }),
        /service_settings\.api_key holds a plain value under a secret key/,
      );
      await expectRefused(
        withEndpoint(emptyState("prod"), { service_settings: { secret_parameters: { a: { env: "A" }, b: CANARY } } }),
        /secret_parameters\.b/,
      );
      const bad = withEndpoint(emptyState("prod"));
      bad.endpoints["my-openai"]!.secrets["service_settings.api_key"] = CANARY;
      await expectRefused(bad, /secrets\.service_settings\.api_key holds a value that is not a fingerprint/);
    });

    it("refuses a LiteralSecret outside the declaration (the secrets map, an endpoint field, the envelope)", async () => {
      const inSecrets = withEndpoint(emptyState("prod"));
      (inSecrets.endpoints["my-openai"]!.secrets as Record<string, unknown>)["service_settings.api_key"] =
        new LiteralSecret(CANARY);
      await expectRefused(inSecrets, /endpoints\.my-openai\.secrets\.service_settings\.api_key holds a literal secret/);
      const inField = withEndpoint(emptyState("prod"));
      (inField.endpoints["my-openai"] as Record<string, unknown>)["updated_at"] = new LiteralSecret(CANARY);
      await expectRefused(inField, /endpoints\.my-openai\.updated_at holds a literal secret/);
      await expectRefused(
        { ...emptyState("prod"), cluster_uuid: new LiteralSecret(CANARY) as never },
        /cluster_uuid holds a literal secret/,
      );
    });

    it("accepts references, secret maps of references, and token_url", async () => {
      const state = withEndpoint(emptyState("prod"), {
        service_settings: {
          api_key: { file: "./key.txt" },
          secret_parameters: { a: { env: "A" } },
          token_url: "https://auth.example/token",
          max_input_tokens: 512,
        },
      });
      await expect(store().write(state)).resolves.toMatchObject({ serial: 1 });
    });
  });

  describe(`${backend.name} store: locking`, () => {
    it("refuses a second lock at once with timeout 0, naming the holder (user, host, pid, operation, since)", async () => {
      const held = await store().lock("apply", 0);
      const err = await rejection(store().lock("plan", 0));
      expect(err).toBeInstanceOf(StateLockedError);
      const { holder } = err as StateLockedError;
      expect(holder).toEqual(held.info);
      expect(holder.operation).toBe("apply");
      expect(holder.who).toMatch(new RegExp(`^.+@${hostname()} pid ${process.pid}$`));
      expect(err.message).toBe(
        `the stack's state (${store().description}) is locked by ${held.info.who} for apply since ` +
          `${held.info.created_at} with a 30 s lease last renewed at ${held.info.created_at} (lock id ${held.info.id}); ` +
          `wait for it to finish, or if that run crashed: esinfer force-unlock ${held.info.id}`,
      );
      await held.release();
      expect(await backend.storedLock()).toBeUndefined();
      expect(notes).toEqual([]);
    });

    it("stores the holder, where it runs and its lease in the lock record", async () => {
      const held = await store({ leaseMs: 45_000 }).lock("destroy", 0);
      expect(await backend.storedLock()).toMatchObject({
        ...held.info,
        host: hostname(),
        pid: process.pid,
        lease_ms: 45_000,
        renewed_at: held.info.created_at,
        renewals: 0,
      });
      expect(held.info.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      await held.release();
    });

    it("says at once who holds the lock and how to force-unlock it when it waits, then takes it when released", async () => {
      const first = await store().lock("apply", 0);
      const waits: string[] = [];
      const second = store().lock("import", 10_000, {
        onWait: (holder, message) => waits.push(`${holder.id}|${message}`),
      });
      await until(() => waits.length > 0);
      expect(waits).toHaveLength(1);
      expect(waits[0]).toMatch(
        new RegExp(
          `^${first.info.id}\\|the stack's state \\(.*\\) is locked by .* pid ${process.pid} for apply since .* with a ` +
            `30 s lease last renewed at .* \\(lock id ${first.info.id}\\); waiting up to \\d+(\\.\\d)? s for it; if ` +
            `its holder stops renewing it, it is taken over 30 s after the last renewal; if that run crashed: ` +
            `esinfer force-unlock ${first.info.id}$`,
        ),
      );
      await first.release();
      const held = await second;
      expect(held.info.id).not.toBe(first.info.id);
      expect((await backend.storedLock())?.["id"]).toBe(held.info.id);
      await held.release();
      expect(notes).toEqual([]); // onWait replaced the note
    });

    it("gives up after the timeout, having said once that it waits (as a note by default)", async () => {
      const held = await store().lock("apply", 0);
      const err = await rejection(store().lock("apply", 300));
      expect(err).toBeInstanceOf(StateLockedError);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(new RegExp(`is locked by .*waiting up to .*force-unlock ${held.info.id}$`));
      await held.release();
    });

    it("stops waiting when the caller's signal is aborted, with its reason", async () => {
      const held = await store().lock("apply", 0);
      const controller = new AbortController();
      const waiting = store().lock("apply", 60_000, { signal: controller.signal });
      await until(() => notes.length > 0);
      controller.abort(new Error("interrupted by SIGINT"));
      await expect(waiting).rejects.toThrow("interrupted by SIGINT");
      expect((await backend.storedLock())?.["id"]).toBe(held.info.id);
      await held.release();
    });

    it("lets exactly one of many concurrent lockers in at a time", async () => {
      let inside = 0;
      let maxInside = 0;
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          const held = await store().lock("apply", 20_000);
          inside++;
          maxInside = Math.max(maxInside, inside);
          await wait(5);
          inside--;
          await held.release();
        }),
      );
      expect(maxInside).toBe(1);
      expect(await backend.storedLock()).toBeUndefined();
      // Only waits were noted: nothing was taken over or found lost.
      for (const note of notes) expect(note).toMatch(/is locked by .*; waiting up to /);
    });

    it("locks stacks independently", async () => {
      const a = await store({ stack: "a" }).lock("apply", 0);
      const b = await store({ stack: "b" }).lock("apply", 0);
      await a.release();
      await b.release();
    });

    it("renews the lease while held, so a waiter never takes a live holder's lock over", async () => {
      const held = await store({ leaseMs: 1_000, renewIntervalMs: 100 }).lock("apply", 0);
      await until(async () => Number((await backend.storedLock())?.["renewals"]) >= 3);
      const err = await rejection(store().lock("apply", 1_500));
      expect(err).toBeInstanceOf(StateLockedError);
      const record = await backend.storedLock();
      expect(record?.["id"]).toBe(held.info.id);
      expect(Date.parse(String(record?.["renewed_at"]))).toBeGreaterThan(Date.parse(held.info.created_at));
      await held.release();
      expect(notes.filter((n) => !/waiting up to/.test(n))).toEqual([]);
    });

    it("reports a lock found taken from it while held, and aborts its `lost` signal", async () => {
      const held = await store({ leaseMs: 300 }).lock("apply", 0);
      await store().forceUnlock(held.info.id);
      const other = await store().lock("apply", 0);
      await until(() => held.lost.aborted);
      expect(held.lost.reason).toBeInstanceOf(LockLostError);
      expect(notes).toEqual([
        expect.stringMatching(
          new RegExp(`^the lock ${held.info.id} on the stack's state .* is no longer held by this run`),
        ),
      ]);
      await held.release(); // quiet: already reported; the other lock stays
      expect(notes).toHaveLength(1);
      expect((await backend.storedLock())?.["id"]).toBe(other.info.id);
      await other.release();
    });
  });

  describe(`${backend.name} store: taking over a lock whose holder is gone`, () => {
    it("takes over the lock of a process of this host that no longer runs, with a note", async () => {
      const pid = deadPid();
      await backend.plantLock(lockRecord({ who: `ci@${hostname()} pid ${pid}`, host: hostname(), pid }));
      const held = await store().lock("apply", 0);
      expect(notes).toEqual([
        expect.stringMatching(
          new RegExp(
            `^took over the lock on the stack's state \\(.*\\) held by ci@.* pid ${pid} for apply since .* \\(lock id ` +
              `3f1c0a52-0000-4000-8000-000000000001\\): process ${pid} no longer runs on this host \\(a crashed run\\)$`,
          ),
        ),
      ]);
      expect((await backend.storedLock())?.["id"]).toBe(held.info.id);
      await held.release();
      expect(await backend.storedLock()).toBeUndefined();
    });

    it("also one written by an esinfer without leases", async () => {
      const pid = deadPid();
      const { lease_ms: _l, renewed_at: _r, renewals: _n, ...old } = lockRecord({ host: hostname(), pid });
      await backend.plantLock(old);
      await (await store().lock("apply", 0)).release();
      expect(notes[0]).toMatch(/no longer runs on this host/);
    });

    it("does not take over a lock without a lease of another host, or of a live process here", async () => {
      const { lease_ms: _l, renewed_at: _r, renewals: _n, ...old } = lockRecord();
      for (const holder of [
        { ...old, host: `not-${hostname()}`, pid: deadPid() },
        { ...old, host: hostname(), pid: process.ppid },
      ]) {
        await backend.plantLock(holder);
        await expect(store().lock("apply", 0)).rejects.toThrow(StateLockedError);
        await expect(store().lock("apply", 500)).rejects.toThrow(StateLockedError);
      }
      expect(notes.filter((n) => !/waiting up to/.test(n))).toEqual([]);
    });

    it("does not take over a lock of this host's name but another machine or container (host id)", async () => {
      await backend.plantLock(
        lockRecord({ host: hostname(), host_id: "0000000000000000", pid: deadPid(), lease_ms: 60_000 }),
      );
      await expect(store().lock("apply", 0)).rejects.toThrow(StateLockedError);
    });

    it("takes over a lease of another host that is not renewed for a whole lease, watched on its own clock", async () => {
      await backend.plantLock(lockRecord({ lease_ms: 400 }));
      await expect(store().lock("apply", 0)).rejects.toThrow(StateLockedError); // not watched yet
      const started = performance.now();
      const held = await store().lock("apply", 10_000);
      expect(performance.now() - started).toBeGreaterThanOrEqual(400);
      expect(notes.at(-1)).toMatch(
        /^took over the lock .* held by ci@ci-runner-7 pid 4242 .*: its lease of 400 ms expired: it was not renewed for \d+ ms, as seen from this host$/,
      );
      await held.release();
    });

    it("keeps waiting while another host's holder renews its lease", async () => {
      let renewals = 0;
      await backend.plantLock(lockRecord({ lease_ms: 1_000 }));
      const renewing = setInterval(
        () => void backend.plantLock(lockRecord({ lease_ms: 1_000, renewals: ++renewals })).catch(() => undefined),
        100,
      );
      try {
        await expect(store().lock("apply", 2_500)).rejects.toThrow(StateLockedError);
      } finally {
        clearInterval(renewing);
      }
      expect(renewals).toBeGreaterThan(3);
      expect(notes.filter((n) => /took over/.test(n))).toEqual([]);
    });

    it("takes over at once a lease last renewed longer ago than the lease and the tolerated clock skew", async () => {
      const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
      await backend.plantLock(lockRecord({ lease_ms: 30_000, created_at: hourAgo, renewed_at: hourAgo }));
      const held = await store().lock("apply", 0);
      expect(notes).toEqual([
        expect.stringMatching(
          /: its lease of 30 s expired: last renewed at .*, 3600(\.\d)? s ago by this host's clock \(more than the lease and 60 s of clock skew\)$/,
        ),
      ]);
      await held.release();
    });

    it("does not trust a renewal time ahead of its clock (a skewed holder), only what it watches", async () => {
      const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
      await backend.plantLock(lockRecord({ lease_ms: 300, renewed_at: inAnHour }));
      await expect(store().lock("apply", 0)).rejects.toThrow(StateLockedError);
      await (await store().lock("apply", 10_000)).release();
      expect(notes.at(-1)).toMatch(/its lease of 300 ms expired: it was not renewed for/);
    });

    it("treats an unreadable lock as held, and takes it over when it stays unchanged for a lease", async () => {
      await backend.plantLock("");
      const err = await rejection(store().lock("apply", 0));
      expect((err as StateLockedError).holder.id).toBe("unreadable");
      const held = await store({ leaseMs: 300 }).lock("apply", 10_000);
      expect(notes.at(-1)).toMatch(
        /^took over .*\(lock id unreadable\): (it is not a readable esinfer lock|the lock file was unreadable)/,
      );
      await held.release();
    });

    it("shows a holder's strings with control and bidi characters escaped", async () => {
      await backend.plantLock(lockRecord({ id: "id\u202e", who: "ci\u001b[2J@runner pid 1", operation: "apply\n" }));
      const err = await rejection(store().lock("apply", 0));
      expect(err.message).toContain("locked by ci\\u001b[2J@runner pid 1 for apply\\u000a since");
      expect(err.message).toContain("(lock id id\\u202e); wait");
      expect(err.message).not.toMatch(/[\u001b\u202e\n]/);
      expect((err as StateLockedError).holder.who).toBe("ci\u001b[2J@runner pid 1");
    });

    it("reads a record hiding its fields behind __proto__ as unreadable, not as a holder", async () => {
      await backend.plantLock(`{"__proto__": ${JSON.stringify(lockRecord())}}`);
      const err = await rejection(store().lock("apply", 0));
      expect((err as StateLockedError).holder.id).toBe("unreadable");
      await store().forceUnlock("unreadable");
      await (await store().lock("apply", 0)).release();
    });
  });

  describe(`${backend.name} store: lease settings`, () => {
    const ENV = "ESINFER_LOCK_LEASE";

    it("takes the lease from ESINFER_LOCK_LEASE", async () => {
      const held = await store({ env: { [ENV]: "750ms" } }).lock("apply", 0);
      expect((await backend.storedLock())?.["lease_ms"]).toBe(750);
      await held.release();
    });

    it("refuses an invalid ESINFER_LOCK_LEASE when locking, naming it; reads still work", async () => {
      for (const value of ["soon", "50ms", "-1s"]) {
        const s = store({ env: { [ENV]: value } });
        await expect(s.read()).resolves.toMatchObject({ serial: 0 });
        const err = await rejection(s.lock("apply", 0));
        expect(err).toBeInstanceOf(LockLeaseSettingError);
        expect(err.message).toBe(
          `ESINFER_LOCK_LEASE=${JSON.stringify(value)}: must be a duration of at least 100 ms, such as 30s, 2m or ` +
            `500ms (how long a state lock stays valid without a renewal)`,
        );
      }
      expect(await backend.storedLock()).toBeUndefined();
    });

    it("refuses invalid lease options when the store is made", () => {
      expect(() => store({ leaseMs: 10 })).toThrow(/leaseMs must be a number of ms, at least 100/);
      expect(() => store({ leaseMs: 1000, renewIntervalMs: 1000 })).toThrow(/renewIntervalMs \(1000\) must be below/);
    });
  });

  describe(`${backend.name} store: force-unlock`, () => {
    it("removes only the lock with the given id", async () => {
      await expect(store().forceUnlock("any")).rejects.toThrow(/is not locked; nothing to unlock/);
      const held = await store().lock("apply", 0);
      const wrong = await rejection(store().forceUnlock("wrong-id"));
      expect(wrong).toBeInstanceOf(ForceUnlockError);
      expect(wrong.message).toMatch(
        new RegExp(`has id ${held.info.id} \\(held by .* for apply since .*\\), not wrong-id; nothing was removed$`),
      );
      expect((await backend.storedLock())?.["id"]).toBe(held.info.id);
      await store().forceUnlock(held.info.id);
      expect(await backend.storedLock()).toBeUndefined();
      await expect(store().forceUnlock(held.info.id)).rejects.toThrow(/is not locked/);
    });

    it("never lets a release remove someone else's lock, after a force-unlock", async () => {
      const a = await store().lock("apply", 0);
      await store().forceUnlock(a.info.id);
      const b = await store().lock("apply", 0);
      await a.release();
      expect(notes).toEqual([
        expect.stringMatching(new RegExp(`^the lock ${a.info.id} on the stack's state .* no longer held by this run`)),
      ]);
      expect((await backend.storedLock())?.["id"]).toBe(b.info.id);
      await a.release(); // idempotent: no second note
      expect(notes).toHaveLength(1);
      await b.release();
      await b.release();
      expect(await backend.storedLock()).toBeUndefined();
    });
  });

  describe(`${backend.name} store: a holder process killed with SIGKILL`, () => {
    // The lease used here (ESINFER_LOCK_LEASE sets another, e.g. the default 30s, to measure it).
    const leaseMs = process.env["ESINFER_LOCK_LEASE"] ? undefined : 1_000;

    async function measureTakeover(host: string | undefined): Promise<number> {
      const holder = await spawnHolder({
        ...backend.holderConfig(),
        stack: "prod",
        ...(host ? { host } : {}),
        ...(leaseMs ? { leaseMs } : {}),
      });
      expect((await backend.storedLock())?.["id"]).toBe(holder.lockId);
      await expect(store().lock("apply", 0)).rejects.toThrow(StateLockedError);
      const waiting = store().lock("apply", 120_000, { onWait: () => undefined });
      await wait(50); // the waiter watches the live holder's lock first, as a waiter in CI would
      await kill(holder);
      const killed = performance.now();
      const held = await waiting;
      const elapsed = performance.now() - killed;
      expect(notes).toEqual([expect.stringMatching(new RegExp(`^took over .*\\(lock id ${holder.lockId}\\): `))]);
      await held.release();
      return elapsed;
    }

    it("is taken over at once on the same host", async () => {
      const ms = await measureTakeover(undefined);
      expect(notes[0]).toMatch(/no longer runs on this host/);
      reportFigure(`[takeover] ${backend.name} store, same host: ${Math.round(ms)} ms after SIGKILL`);
    }, 120_000);

    it("is taken over once its lease runs out, when it ran on another host", async () => {
      const ms = await measureTakeover("ci-runner-9");
      expect(notes[0]).toMatch(/its lease of .* expired: it was not renewed for/);
      reportFigure(
        `[takeover] ${backend.name} store, other host (lease ${leaseMs === undefined ? process.env["ESINFER_LOCK_LEASE"] : `${leaseMs} ms`}): ` +
          `${Math.round(ms)} ms after SIGKILL`,
      );
    }, 180_000);

    it("a held lock does not keep the process alive: a script that ends leaves it, to expire", async () => {
      const holder = await spawnHolder({
        ...backend.holderConfig(),
        stack: "prod",
        host: "ci-runner-9",
        leaseMs: 500,
        hold: false,
      });
      const code = await new Promise((r) => holder.child.once("exit", r));
      expect(code).toBe(0);
      expect((await backend.storedLock())?.["id"]).toBe(holder.lockId);
      await (await store().lock("apply", 20_000)).release();
      expect(notes.at(-1)).toMatch(/its lease of 500 ms expired/);
    }, 120_000);
  });
}
