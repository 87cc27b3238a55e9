/**
 * How lock holders and durations read in the messages of the state stores. A lock record is read from a file or a
 * document anyone with access may have written: its strings are shown with invisible and reordering characters
 * escaped (terminal escapes included).
 */
import { escapeUnsafe } from "../../model/text";
import type { LockInfo } from "./types";

/** `info` as messages show it: every string escaped. */
export function shown(info: LockInfo): LockInfo {
  return {
    ...info,
    id: escapeUnsafe(info.id),
    operation: escapeUnsafe(info.operation),
    who: escapeUnsafe(info.who),
    created_at: escapeUnsafe(info.created_at),
    ...(info.renewed_at === undefined ? {} : { renewed_at: escapeUnsafe(info.renewed_at) }),
  };
}

/** `alice@ci-7 pid 42 for apply since T[ with a 30 s lease last renewed at T']`: who holds a lock, for messages. */
export function describeHolder(info: LockInfo): string {
  const holder = shown(info);
  const lease =
    holder.lease_ms === undefined
      ? ""
      : ` with a ${formatMs(holder.lease_ms)} lease last renewed at ${holder.renewed_at ?? holder.created_at}`;
  return `${holder.who} for ${holder.operation} since ${holder.created_at}${lease}`;
}

/** `250 ms`, `30 s`, `1.5 s`, `10 min`: a duration for messages. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000 || ms % 60_000 !== 0) return `${Math.round(ms / 100) / 10} s`;
  return `${ms / 60_000} min`;
}
