import { spawnSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import {
  defaultStatePath,
  emptyState,
  FileStateStore,
  ForceUnlockError,
  SecretInStateError,
  StateConflictError,
  StateFormatError,
  StateLockedError,
  type StackState,
} from "../../../lib/engine/state";
import { LiteralSecret } from "../../../lib/model/secrets";

let dir: string;
let path: string;
let notes: string[];

const store = (p = path, stack = "prod") =>
  new FileStateStore(p, { stack, onNote: (m) => notes.push(m), pollIntervalMs: 20 });

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), "esinfer-state-"));
  path = join(dir, "nested", "state", "prod.json");
  notes = [];
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function withEndpoint(state: StackState, declared: Record<string, unknown> = {}): StackState {
  return {
    ...state,
    endpoints: {
      ...state.endpoints,
      "my-openai": {
        task_type: "text_embedding",
        service: "openai",
        status: "applied",
        declared: {
          service: "openai",
          service_settings: { api_key: { env: "OPENAI_API_KEY" }, model_id: "text-embedding-3-small" },
          ...declared,
        },
        secrets: { "service_settings.api_key": "hmac-sha256:0123456789abcdef0123456789abcdef" },
        updated_at: "2026-01-01T00:00:00.000Z",
      },
    },
  };
}

const listDir = async (d = join(dir, "nested", "state")) => (await fs.readdir(d)).sort();

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

describe("emptyState", () => {
  it("has serial 0, a fresh lineage and salt, and no endpoints", () => {
    const a = emptyState("prod");
    const b = emptyState("prod");
    expect(a).toMatchObject({ format_version: 1, stack: "prod", serial: 0, endpoints: {} });
    expect(a.lineage).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(b.lineage).not.toBe(a.lineage);
    expect(b.salt).not.toBe(a.salt);
  });
});

describe("defaultStatePath", () => {
  it("is .esinfer/state/<stack>.json and refuses names that are not file names", () => {
    expect(defaultStatePath("prod")).toBe(join(".esinfer", "state", "prod.json"));
    expect(() => defaultStatePath("../etc/passwd")).toThrow(/cannot name a state file/);
    expect(() => defaultStatePath("")).toThrow(TypeError);
  });
});

describe("FileStateStore read and write", () => {
  it("describes itself by path", () => {
    expect(store().description).toBe(`file ${path}`);
  });

  it("reads a missing file as an empty state without creating anything", async () => {
    const state = await store().read();
    expect(state).toMatchObject({ stack: "prod", serial: 0, endpoints: {} });
    await expect(fs.stat(join(dir, "nested"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("round-trips a state, incrementing the serial on every write", async () => {
    const s = store();
    const first = await s.write(withEndpoint(await s.read()));
    expect(first.serial).toBe(1);
    expect(await s.read()).toEqual(first);
    const second = await s.write({ ...first, cluster_uuid: "abc" });
    expect(second.serial).toBe(2);
    const reread = await store().read();
    expect(reread).toEqual(second);
    expect(reread.endpoints["my-openai"]?.declared).toEqual(
      withEndpoint(emptyState("x")).endpoints["my-openai"]!.declared,
    );
    // Readable JSON with a final newline.
    expect(await fs.readFile(path, "utf8")).toMatch(/^\{\n {2}"format_version": 1,[\s\S]*\}\n$/);
  });

  it("fails the second of two writers that read the same serial, keeping the first's state", async () => {
    await store().write(await store().read()); // serial 1
    const a = store();
    const b = store();
    const readA = await a.read();
    const readB = await b.read();
    const written = await a.write(withEndpoint(readA));
    await expect(b.write({ ...readB, cluster_uuid: "other" })).rejects.toThrow(StateConflictError);
    await expect(b.write(readB)).rejects.toThrow(/serial 2, the state read was at serial 1/);
    expect(await store().read()).toEqual(written);
  });

  it("fails two first writers of a new state but one", async () => {
    const a = await store().read();
    const b = await store().read();
    await store().write(a);
    await expect(store().write(b)).rejects.toThrow(StateConflictError);
  });

  it("fails a write when the file was replaced by another lineage or deleted", async () => {
    const s = store();
    const written = await s.write(await s.read());
    await fs.rm(path);
    await expect(s.write(written)).rejects.toThrow(/the file is gone/);
    await store().write(emptyState("prod"));
    await expect(s.write({ ...written, serial: 1 })).rejects.toThrow(/lineage/);
  });

  it("writes atomically: no temp file stays, and a leftover temp file does not affect reads", async () => {
    const s = store();
    const written = await s.write(withEndpoint(await s.read()));
    expect(await listDir()).toEqual(["prod.json"]);
    // A crash between creating the temp file and the rename leaves a partial temp file.
    const leftover = join(dir, "nested", "state", ".prod.json.0b6d3c0e-0000-4000-8000-000000000000.tmp");
    await fs.writeFile(leftover, '{"format_version": 1, "stack": "pr');
    expect(await s.read()).toEqual(written);
    const next = await s.write(written);
    expect(next.serial).toBe(2);
    expect(await listDir()).toEqual([".prod.json.0b6d3c0e-0000-4000-8000-000000000000.tmp", "prod.json"]);
  });

  (process.platform === "win32" ? it.skip : it)("creates the file with mode 0600", async () => {
    const s = store();
    await s.write(await s.read());
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
    await fs.chmod(path, 0o644);
    await s.write(await s.read());
    expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
  });

  it("refuses a state of another stack on write", async () => {
    await expect(store().write(emptyState("staging"))).rejects.toThrow(/stack "staging"/);
  });
});

describe("FileStateStore refuses unusable files and never overwrites them", () => {
  async function expectUntouched(content: string, message: RegExp) {
    await fs.mkdir(join(dir, "nested", "state"), { recursive: true });
    await fs.writeFile(path, content);
    const s = store();
    const err = await s.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateFormatError);
    expect((err as Error).message).toContain(`file ${path}`);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/left it untouched/);
    await expect(s.write(emptyState("prod"))).rejects.toThrow(StateFormatError);
    expect(await fs.readFile(path, "utf8")).toBe(content);
    expect(await listDir()).toEqual(["prod.json"]);
  }

  it("corrupt JSON", () => expectUntouched('{"format_version": 1, "stack": "pr', /not valid JSON/));
  it("a foreign document", () => expectUntouched('{"name": "my-app", "version": "1.0.0"}\n', /not an esinfer state/));
  it("a newer format", () =>
    expectUntouched(JSON.stringify({ ...emptyState("prod"), format_version: 2 }), /newer esinfer \(state format 2/));
  it("an invalid state", () =>
    expectUntouched(JSON.stringify({ ...emptyState("prod"), serial: -1 }), /is invalid: serial:/));
  it("another stack's state", () =>
    expectUntouched(JSON.stringify(emptyState("staging")), /stack "staging", not of stack "prod"/));
});

describe("FileStateStore never writes secret values", () => {
  const CANARY = "sk-canary-7f3a9c1e5b";

  async function expectRefused(state: StackState, pathPattern: RegExp) {
    const err = await store()
      .write(state)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretInStateError);
    expect((err as Error).message).toMatch(pathPattern);
    expect((err as Error).message).not.toContain(CANARY);
  }

  it("refuses a LiteralSecret in a declared field, writing nothing", async () => {
    const state = withEndpoint(emptyState("prod"), {
      service_settings: { api_key: new LiteralSecret(CANARY), model_id: "m" },
    });
    await expectRefused(state, /endpoints\.my-openai\.declared\.service_settings\.api_key holds a literal secret/);
    await expect(fs.stat(join(dir, "nested"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses it also over an existing state, which stays as it was", async () => {
    const s = store();
    const written = await s.write(await s.read());
    const before = await fs.readFile(path, "utf8");
    await expectRefused(
      withEndpoint(written, { task_settings: { nested: [{ x: new LiteralSecret(CANARY) }] } }),
      /declared\.task_settings\.nested\.0\.x/,
    );
    expect(await fs.readFile(path, "utf8")).toBe(before);
    expect(await listDir()).toEqual(["prod.json"]);
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

  it("refuses a LiteralSecret outside the declaration too (the secrets map, an endpoint field, the envelope)", async () => {
    const inSecrets = withEndpoint(emptyState("prod"));
    (inSecrets.endpoints["my-openai"]!.secrets as Record<string, unknown>)["service_settings.api_key"] =
      new LiteralSecret(CANARY);
    await expectRefused(inSecrets, /endpoints\.my-openai\.secrets\.service_settings\.api_key holds a literal secret/);
    const inField = withEndpoint(emptyState("prod"));
    (inField.endpoints["my-openai"] as Record<string, unknown>).updated_at = new LiteralSecret(CANARY);
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

describe("FileStateStore lock", () => {
  it("refuses a second lock at once with timeout 0, naming the holder", async () => {
    const held = await store().lock("apply", 0);
    const err = await store()
      .lock("plan", 0)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateLockedError);
    const holder = (err as StateLockedError).holder;
    expect(holder).toEqual(held.info);
    expect(holder.operation).toBe("apply");
    expect(holder.who).toMatch(new RegExp(`@${hostname()} pid ${process.pid}$`));
    expect((err as Error).message).toContain(held.info.id);
    expect((err as Error).message).toContain(`file ${path}`);
    await held.release();
    expect(await listDir()).toEqual([]);
  });

  it("writes the lock file as JSON LockInfo with mode 0600", async () => {
    const held = await store().lock("apply", 0);
    const info = JSON.parse(await fs.readFile(`${path}.lock`, "utf8"));
    expect(info).toMatchObject({ ...held.info, host: hostname(), pid: process.pid });
    expect(info.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    if (process.platform !== "win32") expect((await fs.stat(`${path}.lock`)).mode & 0o777).toBe(0o600);
    await held.release();
  });

  it("waits for a held lock until it is released", async () => {
    const first = await store().lock("apply", 0);
    setTimeout(() => void first.release(), 150);
    const started = Date.now();
    const second = await store().lock("apply", 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(second.info.id).not.toBe(first.info.id);
    await second.release();
  });

  it("lets exactly one of many concurrent lockers in at a time", async () => {
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const held = await store().lock("apply", 10_000);
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 5));
        inside--;
        await held.release();
      }),
    );
    expect(maxInside).toBe(1);
    expect(await listDir()).toEqual([]);
    expect(notes).toEqual([]);
  });

  it("gives up after the timeout", async () => {
    const held = await store().lock("apply", 0);
    const started = Date.now();
    await expect(store().lock("apply", 120)).rejects.toThrow(StateLockedError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    await held.release();
  });

  it("takes over the lock of a dead process of this host, with a note", async () => {
    await fs.mkdir(join(dir, "nested", "state"), { recursive: true });
    const pid = deadPid();
    const stale = {
      id: "stale-id",
      operation: "apply",
      who: `ci@${hostname()} pid ${pid}`,
      created_at: "2026-01-01T00:00:00Z",
      host: hostname(),
      pid,
    };
    await fs.writeFile(`${path}.lock`, JSON.stringify(stale));
    const held = await store().lock("apply", 0);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/took over the lock .* held by ci@.* \(lock id stale-id\): process \d+ no longer runs/);
    expect(JSON.parse(await fs.readFile(`${path}.lock`, "utf8")).id).toBe(held.info.id);
    await held.release();
    expect(await listDir()).toEqual([]);
  });

  it("does not take over a lock of another host or of a live process", async () => {
    await fs.mkdir(join(dir, "nested", "state"), { recursive: true });
    const base = { id: "x", operation: "apply", who: "w", created_at: "2026-01-01T00:00:00Z" };
    for (const holder of [
      { ...base, host: `not-${hostname()}`, pid: deadPid() },
      { ...base, host: hostname(), pid: process.ppid },
    ]) {
      await fs.writeFile(`${path}.lock`, JSON.stringify(holder));
      await expect(store().lock("apply", 0)).rejects.toThrow(StateLockedError);
    }
    expect(notes).toEqual([]);
  });

  it("treats an unreadable lock file as held while young and as a crash leftover when old", async () => {
    await fs.mkdir(join(dir, "nested", "state"), { recursive: true });
    await fs.writeFile(`${path}.lock`, "");
    const err = await store()
      .lock("apply", 0)
      .catch((e: unknown) => e);
    expect((err as StateLockedError).holder.id).toBe("unreadable");
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(`${path}.lock`, old, old);
    const held = await store().lock("apply", 0);
    expect(notes[0]).toMatch(/unreadable/);
    await held.release();
  });

  it("force-unlocks only the lock with the given id", async () => {
    const held = await store().lock("apply", 0);
    await expect(store().forceUnlock("wrong-id")).rejects.toThrow(ForceUnlockError);
    await expect(store().forceUnlock("wrong-id")).rejects.toThrow(
      new RegExp(`has id ${held.info.id} .*not wrong-id; nothing was removed`),
    );
    expect(await listDir()).toEqual(["prod.json.lock"]);
    await store().forceUnlock(held.info.id);
    expect(await listDir()).toEqual([]);
    await expect(store().forceUnlock(held.info.id)).rejects.toThrow(/is not locked/);
  });

  it("never releases someone else's lock", async () => {
    const a = await store().lock("apply", 0);
    await store().forceUnlock(a.info.id);
    const b = await store().lock("apply", 0);
    await a.release();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(new RegExp(`lock ${a.info.id} .*no longer held by this run`));
    expect(JSON.parse(await fs.readFile(`${path}.lock`, "utf8")).id).toBe(b.info.id);
    await b.release();
    await b.release(); // idempotent
    expect(await listDir()).toEqual([]);
  });
});
