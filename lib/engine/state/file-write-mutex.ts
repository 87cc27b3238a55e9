/**
 * The file store's write mutex: a file (`.prod.json.writing`) created exclusively around a write's check of the
 * serial and its rename, so two writers that read the same serial can never both pass the check (the stack lock
 * serializes esinfer's own runs; this makes `write()` keep its contract for any caller). Held for the few
 * milliseconds of one write. One left by a crashed writer is removed: at once when its process no longer runs on
 * this host, else once it is {@link STALE_AFTER_MS} old.
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { errno, makeDirectory, PRIVATE_FILE_MODE, readRegularFile } from "./file-access";
import { isDeadHolderHere, type LockHolderPlace } from "./lock-info";
import { StateAccessError } from "./types";

const STALE_AFTER_MS = 30_000;
const RETRY_MS = 5;

/** Whose write mutex a file is: enough to tell that its process is gone. */
interface MutexRecord {
  readonly host: string;
  readonly host_id?: string;
  readonly pid: number;
}

function parseMutex(bytes: Buffer | undefined): MutexRecord | undefined {
  try {
    const raw: unknown = JSON.parse(bytes?.toString("utf8") ?? "");
    if (raw === null || typeof raw !== "object") return undefined;
    const { host, host_id, pid } = raw as Record<string, unknown>;
    if (typeof host !== "string" || typeof pid !== "number") return undefined;
    return { host, pid, ...(typeof host_id === "string" ? { host_id } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` holding the write mutex of the state file at `statePath` (`description` names it in messages).
 * Throws the file system's error when the mutex cannot be created, and a `StateAccessError` after waiting
 * {@link STALE_AFTER_MS} for another writer.
 */
export async function withWriteMutex<T>(
  statePath: string,
  description: string,
  here: LockHolderPlace,
  work: () => Promise<T>,
): Promise<T> {
  const path = join(dirname(statePath), `.${basename(statePath)}.writing`);
  const ino = await takeMutex(path, here, description);
  try {
    return await work();
  } finally {
    // Only our own: a writer that judged ours stale (after 30 s) may hold a new one.
    const stat = await fs.stat(path).catch(() => undefined);
    if (stat?.ino === ino) await fs.rm(path, { force: true });
  }
}

async function takeMutex(path: string, here: LockHolderPlace, description: string): Promise<number> {
  const record: MutexRecord = { host: here.host, ...(here.hostId ? { host_id: here.hostId } : {}), pid: process.pid };
  const started = Date.now();
  for (;;) {
    const ino = await createMutexFile(path, record);
    if (ino !== undefined) return ino;
    const stat = await fs.stat(path).catch(() => undefined);
    if (stat !== undefined) {
      const holder = parseMutex(await readRegularFile(path).catch(() => undefined));
      const stale =
        (holder !== undefined && isDeadHolderHere(holder, here)) || Date.now() - stat.mtimeMs > STALE_AFTER_MS;
      if (stale) {
        await removeIfSame(path, stat.ino);
        continue;
      }
    }
    if (Date.now() - started > STALE_AFTER_MS)
      throw new StateAccessError(
        `the stack's state (${description}) cannot be written: its write mutex ${path} has been held by another ` +
          `writer for more than ${STALE_AFTER_MS / 1000} s; if no esinfer runs, remove it`,
      );
    await sleep(RETRY_MS);
  }
}

/** Creates the mutex file holding `record`; its inode, or undefined when it exists. */
async function createMutexFile(path: string, record: MutexRecord, madeDirectory = false): Promise<number | undefined> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, "wx", PRIVATE_FILE_MODE);
  } catch (e) {
    if (errno(e) === "EEXIST") return undefined;
    if (errno(e) !== "ENOENT" || madeDirectory) throw e;
    await makeDirectory(dirname(path));
    return createMutexFile(path, record, true);
  }
  try {
    await handle.writeFile(JSON.stringify(record));
    return (await handle.stat()).ino;
  } catch (e) {
    await fs.rm(path, { force: true }); // never leave others a mutex without a holder
    throw e;
  } finally {
    await handle.close();
  }
}

/** Removes the file at `path` if it is still the one with inode `ino` (renamed aside first, put back otherwise). */
async function removeIfSame(path: string, ino: number): Promise<void> {
  const aside = `${path}.${randomUUID()}.removing`;
  try {
    await fs.rename(path, aside);
  } catch {
    return; // gone meanwhile
  }
  const moved = await fs.stat(aside).catch(() => undefined);
  if (moved?.ino !== ino) await fs.link(aside, path).catch(() => undefined); // a fresh one: back, unless replaced
  await fs.rm(aside, { force: true });
}
