/** Lock records shared by the state stores: who holds a lock, and whether that holder still runs. */
import { EsinferError } from "../../errors";
import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import { z } from "zod";
import type { LockInfo, StateLock } from "./types";

/** What a lock file or lock document stores: {@link LockInfo} plus where the holder runs (for stale detection). */
export interface LockRecord extends LockInfo {
  readonly host: string;
  readonly pid: number;
}

const LockRecordSchema = z.object({
  id: z.string(),
  operation: z.string(),
  who: z.string(),
  created_at: z.string(),
  host: z.string(),
  pid: z.number().int().positive(),
});

/** Id reported for a lock whose record cannot be read; `forceUnlock` accepts it to remove such a lock. */
export const UNREADABLE_LOCK_ID = "unreadable";

/** `forceUnlock` found no lock, or a lock with another id; nothing was removed. */
export class ForceUnlockError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_FORCE_UNLOCK" });
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers).
    return process.env["USER"] ?? process.env["USERNAME"] ?? "unknown";
  }
}

/** A new lock record for this process: random id, `user@host pid N`. */
export function newLockRecord(operation: string): LockRecord {
  const host = hostname();
  return {
    id: randomUUID(),
    operation,
    who: `${userName()}@${host} pid ${process.pid}`,
    created_at: new Date().toISOString(),
    host,
    pid: process.pid,
  };
}

/** The record stored in a lock, or undefined when it is not one. */
export function parseLockRecord(raw: unknown): LockRecord | undefined {
  const result = LockRecordSchema.safeParse(raw);
  return result.success ? result.data : undefined;
}

/** The public part of a record (what `StateLockedError` shows). */
export function lockInfoOf(record: LockInfo): LockInfo {
  return { id: record.id, operation: record.operation, who: record.who, created_at: record.created_at };
}

/** A placeholder holder for a lock whose record is unreadable (e.g. a run crashed while writing it). */
export function unreadableLockInfo(where: string, createdAt: string): LockInfo {
  return {
    id: UNREADABLE_LOCK_ID,
    operation: "an unknown operation",
    who: `an unknown holder (${where})`,
    created_at: createdAt,
  };
}

/**
 * Whether the holder is a process of this host that no longer runs: its lock was left by a crash. Assumes host
 * names identify machines (two containers sharing a host name and a state directory would defeat it).
 */
export function isDeadHolderHere(record: LockRecord): boolean {
  if (record.host !== hostname()) return false;
  if (record.pid === process.pid) return false;
  try {
    process.kill(record.pid, 0);
    return false;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** A lock held by this run, with its record (to show the id). */
export interface HeldLock extends StateLock {
  readonly info: LockInfo;
}
