/** Lock records shared by the state stores: who holds a lock, where it runs, and whether that holder still runs. */
import { EsinferError } from "../../errors";
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { z } from "zod";
import type { LockInfo, StateLock } from "./types";

/** What a lock file or lock document stores: {@link LockInfo} plus where the holder runs (for stale detection). */
export interface LockRecord extends LockInfo {
  readonly host: string;
  /**
   * On Linux, a digest of the boot id and the pid namespace: tells apart machines that share a host name, and
   * containers of one machine that do (each has its own pids). Absent elsewhere and in older records.
   */
  readonly host_id?: string;
  readonly pid: number;
  /** How many times the holder renewed the lock: every renewal changes the record, which is what waiters watch. */
  readonly renewals?: number;
}

const LockRecordSchema = z.object({
  id: z.string(),
  operation: z.string(),
  who: z.string(),
  created_at: z.string(),
  host: z.string(),
  host_id: z.string().optional(),
  pid: z.number().int().positive(),
  lease_ms: z.number().int().positive().optional(),
  renewed_at: z.string().optional(),
  renewals: z.number().int().nonnegative().optional(),
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

let thisHostId: string | undefined | null = null;

/** This process's {@link LockRecord.host_id}, worked out once; undefined where /proc does not tell. */
export function hostId(): string | undefined {
  if (thisHostId !== null) return thisHostId;
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const pidNamespace = readlinkSync("/proc/self/ns/pid");
    thisHostId = createHash("sha256").update(`${boot}\n${pidNamespace}`).digest("hex").slice(0, 16);
  } catch {
    thisHostId = undefined;
  }
  return thisHostId;
}

/** Where this process runs, as lock records name it. `host` replaces the host name (tests simulate other hosts). */
export interface LockHolderPlace {
  readonly host: string;
  readonly hostId: string | undefined;
}

export function placeOfThisProcess(host?: string): LockHolderPlace {
  return { host: host ?? hostname(), hostId: hostId() };
}

/** A new lock record for this process: random id, `user@host pid N`, its lease, stamped now. */
export function newLockRecord(operation: string, place: LockHolderPlace, leaseMs: number): LockRecord {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    operation,
    who: `${userName()}@${place.host} pid ${process.pid}`,
    created_at: now,
    host: place.host,
    ...(place.hostId === undefined ? {} : { host_id: place.hostId }),
    pid: process.pid,
    lease_ms: leaseMs,
    renewed_at: now,
    renewals: 0,
  };
}

/** The record of a renewal of `record`, stamped now. */
export function renewedRecord(record: LockRecord): LockRecord {
  return { ...record, renewed_at: new Date().toISOString(), renewals: (record.renewals ?? 0) + 1 };
}

/** The record stored in a lock, or undefined when it is not one. */
export function parseLockRecord(raw: unknown): LockRecord | undefined {
  const result = LockRecordSchema.safeParse(raw);
  return result.success ? result.data : undefined;
}

/** The public part of a record (what `StateLockedError` shows). */
export function lockInfoOf(record: LockInfo): LockInfo {
  return {
    id: record.id,
    operation: record.operation,
    who: record.who,
    created_at: record.created_at,
    ...(record.lease_ms === undefined ? {} : { lease_ms: record.lease_ms }),
    ...(record.renewed_at === undefined ? {} : { renewed_at: record.renewed_at }),
  };
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
 * Whether the holder is a process of this host that no longer runs: its lock was left by a crash. The host is
 * the same when the host names match and, where both records have one, the host ids (boot and pid namespace).
 * Without host ids (other platforms, older records), two containers sharing a host name and a state would defeat
 * it; the lease still protects them.
 */
export function isDeadHolderHere(record: Pick<LockRecord, "host" | "host_id" | "pid">, here: LockHolderPlace): boolean {
  if (record.host !== here.host) return false;
  if (record.host_id !== undefined && record.host_id !== here.hostId) return false;
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
  readonly lost: AbortSignal;
}

/** This run's lock was force-unlocked or taken over while it ran. */
export class LockLostError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_LOCK_LOST" });
  }
}
