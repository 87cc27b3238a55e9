/**
 * The default state store: one JSON file per stack (e.g. `.esinfer/state/prod.json`, mode 0600) and a lock file
 * beside it (`prod.json.lock`, see file-lock.ts).
 *
 * Writes are atomic (temp file in the same directory, fsync, rename), so a crash leaves either the old or the new
 * state, never half of one; and each write's serial check and rename happen under a write mutex, so two writers that
 * read the same serial never both succeed. Paths that are not regular files (a directory, a FIFO, a device) and
 * files that cannot be read or written are reported in one line naming the path ({@link StateAccessError}).
 */
import { join } from "node:path";
import { describeFileError, isFileSystemError, NotAFileError, readRegularFile, writeAtomically } from "./file-access";
import { FileLockBackend } from "./file-lock";
import { withWriteMutex } from "./file-write-mutex";
import { resolveLockSettings, type LockSettingsOptions } from "./lease";
import { placeOfThisProcess, type HeldLock, type LockHolderPlace } from "./lock-info";
import { acquireLock, forceUnlockLock, type LockContext } from "./lock-protocol";
import {
  checkStateToWrite,
  emptyState,
  parseState,
  parseStateJson,
  parseStateText,
  serializeState,
  stateText,
} from "./new-state";
import { assertNoSecretValues } from "./secret-guard";
import {
  STATE_FORMAT_VERSION,
  StateAccessError,
  StateConflictError,
  type LockOptions,
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

export interface FileStateStoreOptions extends LockSettingsOptions {
  /** The stack whose state the file holds; a file of another stack is refused. */
  readonly stack: string;
  /**
   * Receives notes about unusual events that were handled: a stale lock taken over, a wait for a held lock, a
   * failed lease renewal, a lock found no longer ours on release. Default: `console.warn`.
   */
  readonly onNote?: (message: string) => void;
}

/** A stack's state in a local JSON file (mode 0600), locked with an exclusively created `<path>.lock` file. */
export class FileStateStore implements StateStore {
  readonly description: string;
  readonly path: string;
  readonly lockPath: string;
  readonly stack: string;
  private readonly locks: FileLockBackend;
  private readonly lockContext: LockContext;
  private readonly here: LockHolderPlace;

  constructor(path: string, options: FileStateStoreOptions) {
    if (typeof options.stack !== "string" || options.stack === "")
      throw new TypeError("stack must be a non-empty string");
    this.path = path;
    this.lockPath = `${path}.lock`;
    this.stack = options.stack;
    this.description = `file ${path}`;
    const note = options.onNote ?? ((m) => console.warn(m));
    this.here = placeOfThisProcess(options.host);
    this.locks = new FileLockBackend(this.lockPath, this.description, note);
    this.lockContext = { description: this.description, note, settings: resolveLockSettings(options), here: this.here };
  }

  /** The stored state, or a new empty state when the file does not exist. Throws `StateFormatError` if unusable. */
  async read(): Promise<StackState> {
    const text = await this.readText("read");
    return text === undefined ? emptyState(this.stack) : parseStateJson(text, this.description, this.stack);
  }

  /**
   * Writes `state` with serial + 1, provided the file still holds `state`'s lineage and serial (else
   * `StateConflictError`); returns the written state. Refuses states holding secret values (`SecretInStateError`).
   */
  async write(state: StackState): Promise<StackState> {
    assertNoSecretValues(state, this.description);
    const checked = checkStateToWrite(state, this.description, this.stack);
    const next = { ...checked, serial: checked.serial + 1 };
    const text = serializeState(next); // before the first await: later changes by the caller are not part of it
    try {
      await withWriteMutex(this.path, this.description, this.here, async () => {
        // Parse errors propagate: a corrupt or foreign file is never overwritten.
        this.checkUnchanged(await this.readStamp(checked), checked);
        await writeAtomically(this.path, text);
      });
    } catch (e) {
      throw this.accessError(e, "written");
    }
    return next;
  }

  /** Takes the lock file: see {@link StateStore.lock}. */
  lock(operation: string, timeoutMs: number, options?: LockOptions): Promise<HeldLock> {
    return acquireLock(this.locks, this.lockContext, operation, timeoutMs, options);
  }

  /** Removes the lock file if its id is `lockId`; `ForceUnlockError` when there is no lock or another one. */
  forceUnlock(lockId: string): Promise<void> {
    return forceUnlockLock(this.locks, lockId);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** The state file's text, or undefined when there is none yet. */
  private async readText(action: string): Promise<string | undefined> {
    let bytes: Buffer | undefined;
    try {
      bytes = await readRegularFile(this.path);
    } catch (e) {
      throw this.accessError(e, action);
    }
    return bytes === undefined ? undefined : stateText(bytes, this.description);
  }

  /**
   * What a write checks of the file on disk: its stack, lineage and serial, fully validated only when they are not
   * what this process read (then a format problem is reported before a conflict). Validating a large state on
   * every write cost more than the write itself.
   */
  private async readStamp(
    expected: Pick<StackState, "lineage" | "serial">,
  ): Promise<Pick<StackState, "lineage" | "serial"> | undefined> {
    const text = await this.readText("written");
    if (text === undefined) return undefined;
    const raw = parseStateText(text, this.description);
    const stamp = raw as Partial<StackState> | null;
    const unchanged =
      stamp?.format_version === STATE_FORMAT_VERSION &&
      stamp.stack === this.stack &&
      stamp.lineage === expected.lineage &&
      stamp.serial === expected.serial;
    return unchanged ? expected : parseState(raw, this.description, this.stack);
  }

  private checkUnchanged(onDisk: Pick<StackState, "lineage" | "serial"> | undefined, read: StackState): void {
    if (onDisk === undefined) {
      if (read.serial !== 0)
        throw new StateConflictError(this.description, `the file is gone; it was at serial ${read.serial} when read`);
    } else if (onDisk.lineage !== read.lineage) {
      throw new StateConflictError(
        this.description,
        `the file now holds lineage ${onDisk.lineage}, not the lineage ${read.lineage} that was read`,
      );
    } else if (onDisk.serial !== read.serial) {
      throw new StateConflictError(
        this.description,
        `the file is at serial ${onDisk.serial}, the state read was at serial ${read.serial}`,
      );
    }
  }

  /** A one-line error naming the path, for a file system failure or a path that is not a file. */
  private accessError(e: unknown, action: string): unknown {
    if (e instanceof NotAFileError)
      return new StateAccessError(
        `the stack's state (${this.description}) cannot be ${action}: ${e.path} is ${e.kind}, not a file; move it ` +
          `away or choose another state path`,
      );
    if (isFileSystemError(e))
      return new StateAccessError(
        `the stack's state (${this.description}) cannot be ${action}: ${describeFileError(e, this.path)}`,
      );
    return e;
  }
}
