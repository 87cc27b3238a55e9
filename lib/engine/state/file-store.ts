/**
 * The default state store: one JSON file per stack (e.g. `.esinfer/state/prod.json`) and a lock file beside it
 * (`prod.json.lock`).
 *
 * Writes are atomic (temp file in the same directory, fsync, rename), so a crash leaves either the old or the new
 * state, never half of one. The serial check in `write()` and the rename are not one atomic step: the stack lock
 * is what serializes writers; the check catches a writer that did not lock, or a state read before someone else's
 * apply.
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  ForceUnlockError,
  isDeadHolderHere,
  lockInfoOf,
  newLockRecord,
  parseLockRecord,
  unreadableLockInfo,
  type HeldLock,
  type LockRecord,
} from "./lock-info";
import { checkStateToWrite, emptyState, parseState, parseStateJson, parseStateText, serializeState } from "./new-state";
import { assertNoSecretValues } from "./secret-guard";
import {
  STATE_FORMAT_VERSION,
  StateConflictError,
  StateLockedError,
  type LockInfo,
  type StackState,
  type StateStore,
} from "./types";

/** Where state files go unless the caller chooses otherwise (relative to the project directory). */
export const DEFAULT_STATE_DIR = ".esinfer/state";

/** `.esinfer/state/<stack>.json` (or under `dir`). The stack name must be usable as a file name. */
export function defaultStatePath(stack: string, dir: string = DEFAULT_STATE_DIR): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(stack)) {
    throw new TypeError(
      `stack name ${JSON.stringify(stack)} cannot name a state file (letters, digits, ".", "_" and "-")`,
    );
  }
  return join(dir, `${stack}.json`);
}

export interface FileStateStoreOptions {
  /** The stack whose state the file holds; a file of another stack is refused. */
  readonly stack: string;
  /**
   * Receives notes about unusual events that were handled: a stale lock taken over, a lock found no longer ours
   * on release. Default: `console.warn`.
   */
  readonly onNote?: (message: string) => void;
  /** How often a held lock is checked again while waiting for it, default 200 ms. */
  readonly pollIntervalMs?: number;
}

// An unparseable lock file is only taken for a crash leftover once it is this old: a live holder writes its record
// right after creating the file, so a young empty file is most likely being written right now.
const UNREADABLE_LOCK_GRACE_MS = 5_000;

const STATE_FILE_MODE = 0o600;

/** A lock file as read: its record (undefined when unparseable) and identity, to remove exactly this file. */
interface LockFile {
  readonly record: LockRecord | undefined;
  readonly info: LockInfo;
  readonly ino: number;
  readonly text: string;
  readonly mtimeMs: number;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

/** A stack's state in a local JSON file (mode 0600), locked with an exclusively created `<path>.lock` file. */
export class FileStateStore implements StateStore {
  readonly description: string;
  readonly path: string;
  readonly lockPath: string;
  readonly stack: string;
  private readonly note: (message: string) => void;
  private readonly pollIntervalMs: number;

  constructor(path: string, options: FileStateStoreOptions) {
    if (typeof options.stack !== "string" || options.stack === "")
      throw new TypeError("stack must be a non-empty string");
    this.path = path;
    this.lockPath = `${path}.lock`;
    this.stack = options.stack;
    this.description = `file ${path}`;
    this.note = options.onNote ?? ((m) => console.warn(m));
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
  }

  /** The stored state, or a new empty state when the file does not exist. Throws `StateFormatError` if unusable. */
  async read(): Promise<StackState> {
    return (await this.readExisting()) ?? emptyState(this.stack);
  }

  /**
   * Writes `state` with serial + 1, provided the file still holds `state`'s lineage and serial (else
   * `StateConflictError`); returns the written state. Refuses states holding secret values (`SecretInStateError`).
   */
  async write(state: StackState): Promise<StackState> {
    assertNoSecretValues(state, this.description);
    const checked = checkStateToWrite(state, this.description, this.stack);
    // Parse errors propagate: a corrupt or foreign file is never overwritten.
    const onDisk = await this.readStamp(checked);
    if (onDisk === undefined) {
      if (checked.serial !== 0) {
        throw new StateConflictError(
          this.description,
          `the file is gone; it was at serial ${checked.serial} when read`,
        );
      }
    } else if (onDisk.lineage !== checked.lineage) {
      throw new StateConflictError(
        this.description,
        `the file now holds lineage ${onDisk.lineage}, not the lineage ${checked.lineage} that was read`,
      );
    } else if (onDisk.serial !== checked.serial) {
      throw new StateConflictError(
        this.description,
        `the file is at serial ${onDisk.serial}, the state read was at serial ${checked.serial}`,
      );
    }
    const next = { ...checked, serial: checked.serial + 1 };
    await writeAtomically(this.path, serializeState(next));
    return next;
  }

  /** Takes the lock file, waiting up to `timeoutMs`; a lock left by a dead process of this host is taken over. */
  async lock(operation: string, timeoutMs: number): Promise<HeldLock> {
    const record = newLockRecord(operation);
    const text = JSON.stringify(record, null, 2) + "\n";
    const deadline = Date.now() + Math.max(0, timeoutMs);
    for (;;) {
      if (await this.createLockFile(text)) return this.heldLock(record);
      const current = await readLockFile(this.lockPath);
      if (current === undefined) continue; // released meanwhile: try again at once
      const crash = this.crashReason(current);
      if (crash !== undefined) {
        if (await this.removeLockFileIf((l) => l.ino === current.ino && l.text === current.text)) {
          this.note(
            `took over the lock on the stack's state (${this.description}) held by ${current.info.who} ` +
              `for ${current.info.operation} since ${current.info.created_at} (lock id ${current.info.id}): ${crash}`,
          );
        }
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new StateLockedError(this.description, current.info);
      await sleep(Math.min(this.pollIntervalMs, left));
    }
  }

  /** Removes the lock file if its id is `lockId`; `ForceUnlockError` when there is no lock or another one. */
  async forceUnlock(lockId: string): Promise<void> {
    const current = await readLockFile(this.lockPath);
    if (current === undefined) {
      throw new ForceUnlockError(`the stack's state (${this.description}) is not locked; nothing to unlock`);
    }
    if (current.info.id !== lockId) {
      throw new ForceUnlockError(
        `the lock on the stack's state (${this.description}) has id ${current.info.id} (held by ${current.info.who} ` +
          `for ${current.info.operation} since ${current.info.created_at}), not ${lockId}; nothing was removed`,
      );
    }
    if (!(await this.removeLockFileIf((l) => l.info.id === lockId))) {
      throw new ForceUnlockError(
        `the lock on the stack's state (${this.description}) changed while it was being removed; nothing was removed`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The state file's text, or undefined when there is none yet. */
  private async readText(): Promise<string | undefined> {
    try {
      return await fs.readFile(this.path, "utf8");
    } catch (e) {
      if (errno(e) === "ENOENT") return undefined;
      throw e;
    }
  }

  private async readExisting(): Promise<StackState | undefined> {
    const text = await this.readText();
    return text === undefined ? undefined : parseStateJson(text, this.description, this.stack);
  }

  /**
   * What a write checks of the file on disk: its stack, lineage and serial, fully validated only when they are not
   * what this process read (then a format problem is reported before a conflict). Validating a large state on
   * every write cost more than the write itself.
   */
  private async readStamp(
    expected: Pick<StackState, "lineage" | "serial">,
  ): Promise<StackState | Pick<StackState, "lineage" | "serial"> | undefined> {
    const text = await this.readText();
    if (text === undefined) return undefined;
    const raw = parseStateText(text, this.description);
    const stamp = raw as Partial<StackState> | null;
    const unchanged =
      stamp?.format_version === STATE_FORMAT_VERSION &&
      stamp.stack === this.stack &&
      stamp.lineage === expected.lineage &&
      stamp.serial === expected.serial;
    return unchanged
      ? { lineage: expected.lineage, serial: expected.serial }
      : parseState(raw, this.description, this.stack);
  }

  private heldLock(record: LockRecord): HeldLock {
    let released = false;
    return {
      info: lockInfoOf(record),
      release: async () => {
        if (released) return;
        released = true;
        const current = await readLockFile(this.lockPath);
        if (current?.info.id === record.id && (await this.removeLockFileIf((l) => l.info.id === record.id))) return;
        // Someone force-unlocked us (and maybe locked again): their lock is not ours to remove.
        this.note(
          `the lock ${record.id} on the stack's state (${this.description}) was no longer held by this run ` +
            `(force-unlocked?); ${current ? `the lock of ${current.info.who} was left in place` : "no lock was there"}`,
        );
      },
    };
  }

  /** Creates the lock file exclusively; false when it exists. */
  private async createLockFile(text: string): Promise<boolean> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.lockPath, "wx", STATE_FILE_MODE);
    } catch (e) {
      if (errno(e) === "EEXIST") return false;
      if (errno(e) !== "ENOENT") throw e;
      await fs.mkdir(dirname(this.lockPath), { recursive: true });
      return this.createLockFile(text);
    }
    try {
      await handle.writeFile(text, "utf8");
    } catch (e) {
      await handle.close();
      await fs.rm(this.lockPath, { force: true });
      throw e;
    }
    await handle.close();
    return true;
  }

  /** Why the lock's holder is known to be gone, or undefined when it may still run. */
  private crashReason(lock: LockFile): string | undefined {
    if (lock.record !== undefined) {
      return isDeadHolderHere(lock.record)
        ? `process ${lock.record.pid} no longer runs on this host (a crashed run)`
        : undefined;
    }
    const age = Date.now() - lock.mtimeMs;
    return age > UNREADABLE_LOCK_GRACE_MS
      ? `the lock file was unreadable for ${Math.round(age / 1000)} s (a run crashed while taking it)`
      : undefined;
  }

  /**
   * Removes the lock file if `matches` holds for it, atomically: the file is first renamed aside (so a lock created
   * meanwhile by someone else is never the one deleted), checked, and put back if it was not the one meant.
   */
  private async removeLockFileIf(matches: (lock: LockFile) => boolean): Promise<boolean> {
    const aside = `${this.lockPath}.${randomUUID()}.removing`;
    try {
      await fs.rename(this.lockPath, aside);
    } catch (e) {
      if (errno(e) === "ENOENT") return false;
      throw e;
    }
    const moved = await readLockFile(aside);
    if (moved !== undefined && matches(moved)) {
      await fs.rm(aside, { force: true });
      return true;
    }
    await this.putBack(aside);
    return false;
  }

  private async putBack(aside: string): Promise<void> {
    try {
      // link, unlike rename, never replaces a lock someone created in the meantime.
      await fs.link(aside, this.lockPath);
    } catch (e) {
      if (errno(e) === "EEXIST") {
        this.note(
          `a lock on the stack's state (${this.description}) was replaced while being checked; the newer one stays`,
        );
      } else {
        // No hard links on this file system.
        await fs.rename(aside, this.lockPath);
        return;
      }
    }
    await fs.rm(aside, { force: true });
  }
}

async function readLockFile(path: string): Promise<LockFile | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, "r");
  } catch (e) {
    if (errno(e) === "ENOENT") return undefined;
    throw e;
  }
  let text: string;
  let stat: Awaited<ReturnType<fs.FileHandle["stat"]>>;
  try {
    stat = await handle.stat();
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  const record = parseLockRecord(raw);
  return {
    record,
    info: record
      ? lockInfoOf(record)
      : unreadableLockInfo(`lock file ${path} is empty or corrupt`, stat.mtime.toISOString()),
    ino: stat.ino,
    text,
    mtimeMs: stat.mtimeMs,
  };
}

/** Writes `text` to `path` atomically, mode 0600, creating the directory as needed. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await fs.mkdir(dir, { recursive: true });
  // Same directory, so the rename stays on one file system; unique, so concurrent writers never share a temp file.
  const temp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
  const handle = await fs.open(temp, "wx", STATE_FILE_MODE);
  try {
    try {
      await handle.chmod(STATE_FILE_MODE); // exactly 0600 whatever the umask
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
  await syncDirectory(dir);
}

/** Makes a rename durable. Best effort: not every platform can open a directory (Windows). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // ignored: the rename itself has happened
  } finally {
    await handle?.close();
  }
}
