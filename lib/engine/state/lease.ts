/**
 * Lock leases: how long a lock stays valid without a renewal, how often its holder renews it, and when a waiter
 * may take it over. The rules, both backends alike:
 *
 * 1. A holder that is a process of this host and no longer runs is gone: taken over at once.
 * 2. A lock a waiter watches without seeing it change (no renewal: the document's sequence number, the file's
 *    content) for longer than its lease, measured on the waiter's own monotonic clock, is taken over. No clock of
 *    another host is involved, so clock skew does not matter; this needs a waiter that waits (`timeoutMs` > 0).
 * 3. A lock whose last renewal (the holder's clock) is older than its lease plus the tolerated clock skew (the
 *    waiter's clock) is taken over at once, also by a caller that does not wait. A waiter whose clock runs ahead
 *    of the holder's by more than that tolerance could take over a lock that is still renewed: the holder's next
 *    renewal then finds it lost and says so, and its state writes fail with a conflict instead of interleaving.
 *
 * Locks written by esinfer versions without leases (no `lease_ms`) are taken over only by rule 1.
 */
import { EsinferError } from "../../errors";
import { parseTimeValue } from "../../client";
import { isDeadHolderHere, type LockHolderPlace, type LockRecord } from "./lock-info";
import { formatMs } from "./describe";

/** The environment variable that sets the lease of the locks this process takes, e.g. `30s`, `2m`. */
export const LOCK_LEASE_ENV = "ESINFER_LOCK_LEASE";

export const LOCK_DEFAULTS = {
  /** Lease of a lock: a holder that stops renewing (killed, cut off) blocks others this long at most. */
  leaseMs: 30_000,
  /** Clock difference between hosts tolerated by rule 3. */
  clockSkewToleranceMs: 60_000,
  /** How long `release()` may take before it gives up and reports the lock as left in place. */
  releaseTimeoutMs: 5_000,
  /** How often a held lock is checked again while waiting for it. */
  pollIntervalMs: 200,
} as const;

/** The shortest lease accepted: renewals go out every third of it. */
export const MIN_LEASE_MS = 100;

/** Options of the stores about their locks; every one has a default. */
export interface LockSettingsOptions {
  /**
   * Lease of the locks this store takes, in ms: others take a lock over once it has not been renewed for this
   * long. Default: `ESINFER_LOCK_LEASE` from `env` (a duration such as `30s`), else 30 s. At least 100 ms.
   */
  readonly leaseMs?: number;
  /** How often a held lock's lease is renewed, in ms. Default: a third of the lease. Must be below the lease. */
  readonly renewIntervalMs?: number;
  /** Clock difference between hosts tolerated when judging a lock's last renewal time, default 60 s. */
  readonly clockSkewToleranceMs?: number;
  /** How long `release()` may take before it reports the lock as left in place, default 5 s. */
  readonly releaseTimeoutMs?: number;
  /** How often a held lock is checked again while waiting for it, default 200 ms. */
  readonly pollIntervalMs?: number;
  /** Where `ESINFER_LOCK_LEASE` is read, default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The host name recorded in this store's locks and compared with theirs (default: this machine's). For tests
   * that simulate holders on other hosts.
   */
  readonly host?: string;
}

/** The resolved settings. */
export interface LockSettings {
  readonly leaseMs: number;
  readonly renewIntervalMs: number;
  readonly clockSkewToleranceMs: number;
  readonly releaseTimeoutMs: number;
  readonly pollIntervalMs: number;
}

/** `ESINFER_LOCK_LEASE` is not a duration of at least 100 ms. */
export class LockLeaseSettingError extends EsinferError {
  constructor(value: string) {
    super(
      `${LOCK_LEASE_ENV}=${JSON.stringify(value)}: must be a duration of at least ${MIN_LEASE_MS} ms, such as 30s, ` +
        `2m or 500ms (how long a state lock stays valid without a renewal)`,
      { code: "ESINFER_LOCK_LEASE" },
    );
  }
}

function positive(name: string, value: number | undefined, min = 1): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value >= min))
    throw new TypeError(`${name} must be a number of ms, at least ${min}; got ${value}`);
  return value;
}

/**
 * Resolves the options. Invalid options throw a `TypeError` (a caller's bug); an invalid `ESINFER_LOCK_LEASE` is
 * returned as an error for `lock()` to throw, so that commands that take no lock still run.
 */
export function resolveLockSettings(options: LockSettingsOptions): LockSettings | LockLeaseSettingError {
  let leaseMs = positive("leaseMs", options.leaseMs, MIN_LEASE_MS);
  if (leaseMs === undefined) {
    const text = (options.env ?? process.env)[LOCK_LEASE_ENV];
    if (text !== undefined && text !== "") {
      const parsed = parseTimeValue(text);
      if (parsed === undefined || parsed < MIN_LEASE_MS) return new LockLeaseSettingError(text);
      leaseMs = Math.round(parsed);
    }
  }
  leaseMs ??= LOCK_DEFAULTS.leaseMs;
  const renewIntervalMs = positive("renewIntervalMs", options.renewIntervalMs) ?? Math.floor(leaseMs / 3);
  if (renewIntervalMs >= leaseMs)
    throw new TypeError(`renewIntervalMs (${renewIntervalMs}) must be below the lease (${leaseMs})`);
  return {
    leaseMs,
    renewIntervalMs,
    clockSkewToleranceMs:
      positive("clockSkewToleranceMs", options.clockSkewToleranceMs, 0) ?? LOCK_DEFAULTS.clockSkewToleranceMs,
    releaseTimeoutMs: positive("releaseTimeoutMs", options.releaseTimeoutMs) ?? LOCK_DEFAULTS.releaseTimeoutMs,
    pollIntervalMs: positive("pollIntervalMs", options.pollIntervalMs) ?? LOCK_DEFAULTS.pollIntervalMs,
  };
}

/** A lock as a waiter sees it. */
export interface SeenLock {
  /** Its record; undefined when the stored lock is not a readable esinfer lock. */
  readonly record: LockRecord | undefined;
  /** Changes on every write of the lock (renewals included). */
  readonly version: string;
  /** Why the backend already knows the lock is a leftover (e.g. a lock file left half-written long ago). */
  readonly leftover?: string;
}

/** What a waiter has watched of one version of a lock: since when (its monotonic clock) it has seen it unchanged. */
export interface Watch {
  readonly version: string;
  readonly since: number;
}

/** The watch after seeing `lock` at monotonic time `now`: kept while the version is the same, else restarted. */
export function watchOf(lock: SeenLock, previous: Watch | undefined, now: number): Watch {
  return previous?.version === lock.version ? previous : { version: lock.version, since: now };
}

/**
 * Why the holder of `lock` is known to be gone (rules 1 to 3 of the module comment), or undefined when it may
 * still run. `watch` is how long this waiter has seen it unchanged; the store's own lease applies to unreadable
 * locks.
 */
export function goneReason(
  lock: SeenLock,
  watch: Watch,
  context: { readonly here: LockHolderPlace; readonly settings: LockSettings; readonly now: number },
): string | undefined {
  const { record } = lock;
  const unchangedMs = context.now - watch.since;
  if (lock.leftover !== undefined) return lock.leftover;
  if (record === undefined) {
    // Nobody renews a lock that is not an esinfer record: unchanged for a whole lease, it is a leftover.
    const lease = context.settings.leaseMs;
    return unchangedMs > lease
      ? `it is not a readable esinfer lock and did not change for ${formatMs(unchangedMs)} (more than a lease of ${formatMs(lease)})`
      : undefined;
  }
  if (isDeadHolderHere(record, context.here))
    return `process ${record.pid} no longer runs on this host (a crashed run)`;
  if (record.lease_ms === undefined) return undefined;
  if (unchangedMs > record.lease_ms)
    return `its lease of ${formatMs(record.lease_ms)} expired: it was not renewed for ${formatMs(unchangedMs)}, as seen from this host`;
  const renewedAt = Date.parse(record.renewed_at ?? record.created_at);
  const silentMs = Date.now() - renewedAt;
  if (Number.isFinite(renewedAt) && silentMs > record.lease_ms + context.settings.clockSkewToleranceMs)
    return (
      `its lease of ${formatMs(record.lease_ms)} expired: last renewed at ${record.renewed_at ?? record.created_at}, ` +
      `${formatMs(silentMs)} ago by this host's clock (more than the lease and ${formatMs(context.settings.clockSkewToleranceMs)} of clock skew)`
    );
  return undefined;
}

/** How long until {@link goneReason} may change its answer by rule 2 alone, to wake a waiter just after it. */
export function msUntilLeaseRuns(lock: SeenLock, watch: Watch, settings: LockSettings, now: number): number {
  const lease = lock.record === undefined ? settings.leaseMs : lock.record.lease_ms;
  return lease === undefined ? Infinity : Math.max(0, watch.since + lease + 1 - now);
}
