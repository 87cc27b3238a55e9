import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import {
  defaultStatePath,
  emptyState,
  FileStateStore,
  StateAccessError,
  StateLockedError,
  type StackState,
} from "../../../lib/engine/state";
import { tempDir } from "../../helpers/temp";
import { deadPid, describeStateStore, type StoreBackend, type StoreOptions } from "./conformance";

let dir: string;
let path: string;

const stateDir = () => dirname(path);
const lockPath = () => `${path}.lock`;
const listDir = async () => (await fs.readdir(stateDir())).sort();

async function readIfExists(file: string): Promise<Buffer | undefined> {
  return fs.readFile(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return undefined;
    throw e;
  });
}

const fileStore = (options: StoreOptions = {}) => {
  const { stack = "prod", ...rest } = options;
  return new FileStateStore(stack === "prod" ? path : join(stateDir(), `${stack}.json`), { stack, ...rest });
};

const backend: StoreBackend = {
  name: "file",
  async fresh() {
    dir = tempDir("esinfer-state-");
    path = join(dir, "nested", "state", "prod.json");
  },
  store: fileStore,
  async plantState(text) {
    await fs.mkdir(stateDir(), { recursive: true });
    await fs.writeFile(path, text);
  },
  async plantUndecodable() {
    await fs.mkdir(stateDir(), { recursive: true });
    await fs.writeFile(path, Buffer.concat([Buffer.from('{"format_version": 1, "stack": "pr'), Buffer.from([0xff])]));
  },
  // Byte for byte.
  storedState: async () => (await readIfExists(path))?.toString("latin1"),
  removeState: () => fs.rm(path),
  async plantLock(record) {
    await fs.mkdir(stateDir(), { recursive: true });
    await fs.writeFile(lockPath(), typeof record === "string" ? record : JSON.stringify(record));
  },
  async storedLock() {
    const bytes = await readIfExists(lockPath());
    return bytes === undefined ? undefined : (JSON.parse(bytes.toString("utf8")) as Record<string, unknown>);
  },
  holderConfig: () => ({ backend: "file", path }),
};

describeStateStore(backend);

// ---------------------------------------------------------------------------------------------------------------
// What only the file store does: file names, atomic renames, modes, paths that are not files.

const store = (options: StoreOptions = {}) => fileStore({ onNote: () => undefined, pollIntervalMs: 20, ...options });
const notes: string[] = [];

// (describeStateStore's beforeEach gives every test of this file fresh storage.)
beforeEach(() => {
  notes.length = 0;
});

describe("defaultStatePath", () => {
  it("is .esinfer/state/<stack>.json and refuses names that are not file names", () => {
    expect(defaultStatePath("prod")).toBe(join(".esinfer", "state", "prod.json"));
    expect(() => defaultStatePath("../etc/passwd")).toThrow(/cannot name a state file/);
    expect(() => defaultStatePath("")).toThrow(TypeError);
  });
});

describe("FileStateStore files", () => {
  it("describes itself by path, and creates nothing on read", async () => {
    expect(store().description).toBe(`file ${path}`);
    await store().read();
    await expect(fs.stat(join(dir, "nested"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("writes readable JSON with a final newline", async () => {
    const s = store();
    await s.write(await s.read());
    expect(await fs.readFile(path, "utf8")).toMatch(/^\{\n {2}"format_version": 2,[\s\S]*\}\n$/);
  });

  it("reads a format 1 state (before ownership claims) as format 2, and writes it back as 2", async () => {
    const v1 = {
      format_version: 1,
      stack: "prod",
      lineage: "l-1",
      serial: 4,
      salt: "s",
      endpoints: {
        emb: {
          task_type: "text_embedding",
          service: "openai",
          status: "applied",
          declared: {},
          secrets: {},
          updated_at: "t",
        },
      },
    };
    await fs.mkdir(dirname(path), { recursive: true });
    await fs.writeFile(path, JSON.stringify(v1));
    const s = store();
    const read = await s.read();
    expect(read).toMatchObject({ format_version: 2, serial: 4, lineage: "l-1" });
    expect(Object.keys(read.endpoints)).toEqual(["emb"]);
    await s.write(read);
    expect(JSON.parse(await fs.readFile(path, "utf8"))).toMatchObject({ format_version: 2, serial: 5 });
  });

  it("writes atomically: no temp file or write mutex stays, and a leftover temp file does not affect reads", async () => {
    const s = store();
    const written = await s.write(await s.read());
    expect(await listDir()).toEqual(["prod.json"]);
    // A crash between creating the temp file and the rename leaves a partial temp file.
    const leftover = join(stateDir(), ".prod.json.0b6d3c0e-0000-4000-8000-000000000000.tmp");
    await fs.writeFile(leftover, '{"format_version": 1, "stack": "pr');
    expect(await s.read()).toEqual(written);
    expect((await s.write(written)).serial).toBe(2);
    expect(await listDir()).toEqual([".prod.json.0b6d3c0e-0000-4000-8000-000000000000.tmp", "prod.json"]);
  });

  it("clears the write mutex left by a writer that crashed, at once when its process is gone", async () => {
    const written = await store().write(emptyState("prod"));
    const mutex = join(stateDir(), ".prod.json.writing");
    await fs.writeFile(mutex, JSON.stringify({ host: hostname(), pid: deadPid() }));
    await expect(store().write(written)).resolves.toMatchObject({ serial: 2 });
    expect(await listDir()).toEqual(["prod.json"]);
  });

  (process.platform === "win32" ? it.skip : it)(
    "creates the state, the lock file and new directories private, also rewriting a world-readable state",
    async () => {
      const s = store();
      await s.write(await s.read());
      expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
      expect((await fs.stat(stateDir())).mode & 0o777).toBe(0o700);
      await fs.chmod(path, 0o644);
      await s.write(await s.read());
      expect((await fs.stat(path)).mode & 0o777).toBe(0o600);
      const held = await s.lock("apply", 0);
      expect((await fs.stat(lockPath())).mode & 0o777).toBe(0o600);
      await held.release();
    },
  );

  it("writes the lock file as JSON: the holder, where it runs, its lease", async () => {
    const held = await store().lock("apply", 0);
    expect(JSON.parse(await fs.readFile(lockPath(), "utf8"))).toEqual({
      ...held.info,
      host: hostname(),
      host_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      pid: process.pid,
      renewals: 0,
    });
    await held.release();
    expect(await listDir()).toEqual([]);
  });

  it("treats an unreadable lock file as held while young, and as a crash leftover once old", async () => {
    await backend.plantLock("");
    const err = await store()
      .lock("apply", 0)
      .catch((e: unknown) => e);
    expect((err as StateLockedError).holder.id).toBe("unreadable");
    expect((err as Error).message).toContain(`lock file ${lockPath()} is empty or corrupt`);
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(lockPath(), old, old);
    const held = await store({ onNote: (m) => notes.push(m) }).lock("apply", 0);
    expect(notes).toEqual([expect.stringMatching(/: the lock file was unreadable for 60(\.\d)? s \(a run crashed/)]);
    await held.release();
  });
});

describe("FileStateStore paths that are not files: one line naming the path, nothing changed", () => {
  async function expectAccessError(action: Promise<unknown>, message: string | RegExp) {
    const err = await action.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateAccessError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toMatch(/\n|\s+at /);
  }

  it("a state path that is a directory", async () => {
    await fs.mkdir(path, { recursive: true });
    const message = `the stack's state (file ${path}) cannot be read: ${path} is a directory, not a file; move it away or choose another state path`;
    await expectAccessError(store().read(), message);
    await expectAccessError(store().write(emptyState("prod")), message.replace("be read", "be written"));
    expect((await fs.stat(path)).isDirectory()).toBe(true);
  });

  (process.platform === "win32" ? it.skip : it)("a state path that is a FIFO nobody writes to: no hang", async () => {
    await fs.mkdir(stateDir(), { recursive: true });
    execFileSync("mkfifo", [path]);
    await expectAccessError(store().read(), `${path} is a FIFO, not a file`);
    await expectAccessError(store().write(emptyState("prod")), `${path} is a FIFO, not a file`);
  });

  it("a state path under a file (not a directory)", async () => {
    await fs.mkdir(dirname(stateDir()), { recursive: true });
    await fs.writeFile(stateDir(), "not a directory");
    await expectAccessError(store().read(), /cannot be read: .*: a part of the path is not a directory \(ENOTDIR\)$/);
    await expectAccessError(store().write(emptyState("prod")), /cannot be written: .*\(ENOTDIR\)$/);
    await expectAccessError(store().lock("apply", 0), /cannot be locked: .*\(ENOTDIR\)$/);
  });

  it("a state path that is a symbolic link to nothing", async () => {
    await fs.mkdir(stateDir(), { recursive: true });
    await fs.symlink(join(dir, "missing.json"), path);
    await expectAccessError(store().read(), `${path} is a symbolic link to a missing file, not a file`);
  });

  it("a lock path that is a directory, a FIFO or a dangling symbolic link", async () => {
    await fs.mkdir(lockPath(), { recursive: true });
    const lockMessage = (kind: string) =>
      `the stack's state (file ${path}) cannot be locked: its lock file ${lockPath()} is ${kind}, not a file; remove it`;
    await expectAccessError(store().lock("apply", 0), lockMessage("a directory"));
    await expectAccessError(store().forceUnlock("any"), lockMessage("a directory"));
    await fs.rmdir(lockPath());
    if (process.platform !== "win32") {
      execFileSync("mkfifo", [lockPath()]);
      await expectAccessError(store().lock("apply", 1_000), lockMessage("a FIFO"));
      await fs.rm(lockPath());
    }
    await fs.symlink(join(dir, "missing.lock"), lockPath());
    await expectAccessError(store().lock("apply", 0), lockMessage("a symbolic link to a missing file"));
    expect(await listDir()).toEqual(["prod.json.lock"]);
  });

  it("a state or lock path that cannot be opened (a symbolic link loop): the system's reason, in one line", async () => {
    await fs.mkdir(stateDir(), { recursive: true });
    await fs.symlink(path, path);
    await expectAccessError(
      store().read(),
      `the stack's state (file ${path}) cannot be read: ${path}: too many levels of symbolic links (ELOOP)`,
    );
    await fs.symlink(lockPath(), lockPath());
    await expectAccessError(
      store().lock("apply", 0),
      `the stack's state (file ${path}) cannot be locked: ${lockPath()}: too many levels of symbolic links (ELOOP)`,
    );
  });

  it("reads through a symbolic link to a regular file", async () => {
    const real = join(dir, "real.json");
    const state: StackState = { ...emptyState("prod"), serial: 4 };
    await fs.writeFile(real, JSON.stringify(state));
    await fs.mkdir(stateDir(), { recursive: true });
    await fs.symlink(real, path);
    expect(await store().read()).toEqual(state);
  });
});
