/**
 * Retry budget and backoff: exponential backoff with full jitter, `Retry-After`, and limits both in count and in
 * total time. One budget spans one logical operation, so a create that re-checks with GET between attempts still
 * stops on time. Clock, randomness and sleep are injectable so tests run instantly and deterministically.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { RetryBudgetExceededError } from "./errors";

/** Retry limits and injectable effects. */
export interface RetrySettings {
  maxRetries: number;
  maxRetryTimeMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
}

/**
 * Default sleep. The timer keeps the process alive: a retry waiting for its turn is work in progress (an unref'd
 * timer let a CLI run end silently, exit code 0, in the middle of a backoff), so never pass `{ ref: false }` here.
 */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  // An abandoned run stops waiting at once (the caller then sees the signal and gives up).
  return signal ? sleep(ms, undefined, { signal }).catch(() => undefined) : sleep(ms);
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP date. Returns milliseconds (>= 0), or undefined when
 * absent or unparseable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Full-jitter backoff: random in [0, min(maxDelay, base * 2^retryIndex)]. `retryIndex` is 0 for the first retry. */
export function backoffDelay(retryIndex: number, base: number, max: number, random: () => number): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(retryIndex, 30));
  return Math.floor(random() * ceiling);
}

/** How the next retry should wait. */
export interface RetryHint {
  /** Server-requested delay (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** Retry without waiting (failover to a node not tried yet). */
  immediate?: boolean;
}

/** The attempts and time one operation has used. */
export class RetryBudget {
  /** Requests sent so far under this budget. */
  attempts = 0;
  /** Retries granted so far. */
  retries = 0;
  readonly startedAt: number;

  constructor(
    private readonly settings: RetrySettings,
    startedAt?: number,
  ) {
    this.startedAt = startedAt ?? settings.now();
  }

  /** A budget with a fresh retry count but the same deadline, for a follow-up request inside one operation. */
  child(): RetryBudget {
    return new RetryBudget(this.settings, this.startedAt);
  }

  elapsedMs(): number {
    return this.settings.now() - this.startedAt;
  }

  /**
   * Decides whether `failure` may be retried. Returns the delay to wait, or throws: the failure itself when retries
   * are disabled (`maxRetries: 0`), else {@link RetryBudgetExceededError}.
   */
  nextDelay(failure: Error, method: string, path: string, hint: RetryHint = {}): number {
    const { maxRetries, maxRetryTimeMs } = this.settings;
    if (maxRetries === 0) throw failure;
    const remaining = maxRetryTimeMs - this.elapsedMs();
    if (this.retries >= maxRetries || remaining <= 0) {
      throw new RetryBudgetExceededError({
        attempts: this.attempts,
        elapsedMs: this.elapsedMs(),
        lastError: failure,
        method,
        path,
      });
    }
    let delay: number;
    if (hint.retryAfterMs !== undefined) delay = hint.retryAfterMs;
    else if (hint.immediate) delay = 0;
    else
      delay = backoffDelay(
        this.retries,
        this.settings.retryBaseDelayMs,
        this.settings.retryMaxDelayMs,
        this.settings.random,
      );
    this.retries++;
    // Never wait past the deadline; a Retry-After longer than what is left is cut to it.
    return Math.max(0, Math.min(delay, remaining));
  }

  /** {@link nextDelay}, then waits that long. */
  async wait(failure: Error, method: string, path: string, hint: RetryHint = {}): Promise<number> {
    const delay = this.nextDelay(failure, method, path, hint);
    if (delay > 0) await this.settings.sleep(delay);
    return delay;
  }
}
