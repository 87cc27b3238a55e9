/**
 * The file store's lock: a file beside the state (`prod.json.lock`) created exclusively (`O_CREAT | O_EXCL`), mode
 * 0600, holding the JSON lock record. Renewals rewrite it in place (same inode); a takeover or removal first renames
 * the file aside, checks it is the one meant, and only then deletes it, so a lock created meanwhile by someone else
 * is never the one removed.
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import { dirname } from "node:path";
import { decodeUtf8 } from "../../model/text";
import {
  describeFileError,
  errno,
  isFileSystemError,
  makeDirectory,
  NotAFileError,
  openRegularFile,
  PRIVATE_FILE_MODE,
} from "./file-access";
import { lockInfoOf, parseLockRecord, unreadableLockInfo, type LockRecord } from "./lock-info";
import type { LockBackend, StoredLock } from "./lock-protocol";
import { formatMs } from "./describe";
import { StateAccessError } from "./types";

/** A lock file as read, with what identifies this very file and content. */
export interface LockFile extends StoredLock {
  readonly ino: number;
  readonly bytes: Buffer;
}

// An unparseable lock file is only taken for a crash leftover once it is this old: a live holder writes its record
// right after creating the file, so a young empty file is most likely being written right now.
const UNREADABLE_LOCK_GRACE_MS = 5_000;

// A lock record is a few hundred bytes; anything much larger is not one (and is not read whole).
const MAX_LOCK_BYTES = 64 * 1024;

const serialize = (record: LockRecord) => JSON.stringify(record, null, 2) + "\n";

export class FileLockBackend implements LockBackend<number, LockFile> {
  constructor(
    readonly lockPath: string,
    /** The state store's description, which messages about the lock name. */
    readonly lockDescription: string,
    private readonly note: (message: string) => void,
  ) {}

  async create(record: LockRecord): Promise<number | undefined> {
    let handle: fs.FileHandle;
    try {
      handle = await this.openExclusively();
    } catch (e) {
      if (errno(e) === "EEXIST") return undefined;
      throw this.accessError(e, "locked");
    }
    let ino: number;
    try {
      await handle.chmod(PRIVATE_FILE_MODE); // exactly 0600 whatever the umask
      await handle.writeFile(serialize(record), "utf8");
      ino = (await handle.stat()).ino;
    } catch (e) {
      await handle.close().catch(() => undefined);
      await fs.rm(this.lockPath, { force: true });
      throw this.accessError(e, "locked");
    }
    await handle.close();
    return ino;
  }

  private async openExclusively(): Promise<fs.FileHandle> {
    try {
      return await fs.open(this.lockPath, "wx", PRIVATE_FILE_MODE);
    } catch (e) {
      if (errno(e) !== "ENOENT") throw e;
      await makeDirectory(dirname(this.lockPath));
      return await fs.open(this.lockPath, "wx", PRIVATE_FILE_MODE);
    }
  }

  async read(): Promise<LockFile | undefined> {
    try {
      return await readLockFile(this.lockPath);
    } catch (e) {
      throw this.accessError(e, "locked");
    }
  }

  async replace(seen: LockFile, record: LockRecord): Promise<number | undefined> {
    const removed = await this.removeIf((l) => l.ino === seen.ino && l.bytes.equals(seen.bytes));
    return removed ? this.create(record) : undefined;
  }

  async renew(held: number, record: LockRecord): Promise<number | "lost"> {
    let opened;
    try {
      opened = await openRegularFile(this.lockPath, "r+");
    } catch (e) {
      if (e instanceof NotAFileError) return "lost";
      throw this.accessError(e, "renewed");
    }
    if (opened === undefined || opened.stat.ino !== held) return "lost";
    const { handle } = opened;
    try {
      const current = parseLockRecord(parseJson(await handle.readFile()));
      if (current?.id !== record.id) return "lost";
      // In place, so the inode stays the one a waiter checks before it removes a lock it judged stale.
      const text = serialize(record);
      await handle.write(text, 0, "utf8");
      await handle.truncate(Buffer.byteLength(text));
      // Removed while it was being written (a waiter took it over): the write went to a file nobody reads.
      return (await handle.stat()).nlink === 0 ? "lost" : held;
    } catch (e) {
      throw this.accessError(e, "renewed");
    } finally {
      await handle.close();
    }
  }

  async remove(id: string): Promise<boolean> {
    return this.removeIf((l) => l.info.id === id);
  }

  /**
   * Removes the lock file if `matches` holds for it, atomically: the file is first renamed aside (so a lock created
   * meanwhile by someone else is never the one deleted), checked, and put back if it was not the one meant.
   */
  private async removeIf(matches: (lock: LockFile) => boolean): Promise<boolean> {
    const aside = `${this.lockPath}.${randomUUID()}.removing`;
    try {
      await fs.rename(this.lockPath, aside);
    } catch (e) {
      if (errno(e) === "ENOENT") return false;
      throw this.accessError(e, "unlocked");
    }
    const moved = await readLockFile(aside).catch(() => undefined);
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
          `a lock on the stack's state (${this.lockDescription}) was replaced while being checked; the newer one stays`,
        );
      } else {
        // No hard links on this file system.
        await fs.rename(aside, this.lockPath);
        return;
      }
    }
    await fs.rm(aside, { force: true });
  }

  /** A one-line error naming the lock file, for a file system failure or a lock path that is not a file. */
  private accessError(e: unknown, action: string): unknown {
    if (e instanceof NotAFileError)
      return new StateAccessError(
        `the stack's state (${this.lockDescription}) cannot be ${action}: its lock file ${e.path} is ${e.kind}, ` +
          `not a file; remove it`,
      );
    if (isFileSystemError(e))
      return new StateAccessError(
        `the stack's state (${this.lockDescription}) cannot be ${action}: ${describeFileError(e, this.lockPath)}`,
      );
    return e;
  }
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(decodeUtf8(bytes, "lock file"));
  } catch {
    return undefined;
  }
}

async function readLockFile(path: string): Promise<LockFile | undefined> {
  const opened = await openRegularFile(path);
  if (opened === undefined) return undefined;
  const { handle, stat } = opened;
  let bytes: Buffer;
  try {
    const buffer = Buffer.alloc(Math.min(stat.size, MAX_LOCK_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    bytes = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const record = stat.size > MAX_LOCK_BYTES ? undefined : parseLockRecord(parseJson(bytes));
  const ageMs = Date.now() - stat.mtimeMs;
  return {
    record,
    info: record
      ? lockInfoOf(record)
      : unreadableLockInfo(`lock file ${path} is empty or corrupt`, stat.mtime.toISOString()),
    version: `${stat.ino}:${bytes.toString("base64")}`,
    ...(record === undefined && ageMs > UNREADABLE_LOCK_GRACE_MS
      ? { leftover: `the lock file was unreadable for ${formatMs(ageMs)} (a run crashed while taking it)` }
      : {}),
    ino: stat.ino,
    bytes,
  };
}
