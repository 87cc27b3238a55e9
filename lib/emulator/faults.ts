/**
 * Fault injection for tests and benchmarks: injected latency, error responses (429 with `Retry-After`, 5xx) and
 * dropped connections, each for the next N matching requests or at a rate drawn from a seeded generator (the same
 * seed and request order give the same faults on every run).
 */
import { EsError } from "./errors";
import { seededRandom } from "./infer";

/** Which requests a fault applies to. Both unset = every request. */
export interface RequestMatch {
  /** HTTP method(s), case-insensitive. */
  readonly method?: string | readonly string[];
  /** Path (without query): exact string, glob with `*`, or a regular expression. */
  readonly path?: string | RegExp;
}

/** When a matching request triggers the fault. Neither set = every matching request. */
export interface FaultTrigger {
  /** Only the next `count` matching requests. */
  readonly count?: number;
  /** Probability (0..1) per matching request, from the emulator's seeded generator. */
  readonly rate?: number;
}

export interface ErrorFault extends RequestMatch, FaultTrigger {
  /** Status to answer with, e.g. 429, 500, 502, 503, 504. */
  readonly status: number;
  /** `Retry-After` header value in seconds (429 gets 1 unless set). */
  readonly retryAfterSeconds?: number;
  /** Error `type` (defaults by status: `es_rejected_execution_exception` for 429, ...). */
  readonly type?: string;
  readonly reason?: string;
}

export interface DropFault extends RequestMatch, FaultTrigger {
  /**
   * Handle the request (state changes happen) before destroying the socket: "the create reached the server but
   * the client saw a reset". Default: drop without handling.
   */
  readonly afterApply?: boolean;
}

export interface LatencyFault extends RequestMatch, FaultTrigger {
  readonly ms: number;
}

/** A registered fault: how often it fired, and a way to remove it. */
export interface FaultHandle {
  readonly hits: number;
  /** Whether it can still fire (`count` not used up, not removed). */
  readonly active: boolean;
  remove(): void;
}

/** What the server does with one request, decided before handling it. */
export interface FaultDecision {
  readonly delayMs: number;
  readonly error?: EsError;
  readonly drop?: "before" | "after";
}

type Rule =
  | { kind: "error"; spec: ErrorFault; state: RuleState }
  | { kind: "drop"; spec: DropFault; state: RuleState }
  | { kind: "latency"; spec: LatencyFault; state: RuleState };

interface RuleState {
  hits: number;
  remaining: number | undefined;
  removed: boolean;
}

const DEFAULT_ERRORS: Readonly<Record<number, { type: string; reason: string }>> = {
  429: {
    type: "es_rejected_execution_exception",
    reason:
      "rejected execution of org.elasticsearch.common.util.concurrent.TimedRunnable on EsThreadPoolExecutor[name = esinfer-emulator/write, queue capacity = 10000] (injected fault)",
  },
  500: { type: "exception", reason: "injected internal server error" },
  502: { type: "exception", reason: "injected bad gateway" },
  503: {
    type: "cluster_block_exception",
    reason: "blocked by: [SERVICE_UNAVAILABLE/2/no master]; (injected fault)",
  },
  504: { type: "timeout_exception", reason: "injected gateway timeout" },
};

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

function matches(match: RequestMatch, method: string, path: string): boolean {
  if (match.method !== undefined) {
    const methods = (typeof match.method === "string" ? [match.method] : match.method).map((m) => m.toUpperCase());
    if (!methods.includes(method.toUpperCase())) return false;
  }
  if (match.path !== undefined) {
    if (match.path instanceof RegExp) return match.path.test(path);
    return match.path.includes("*") ? globToRegExp(match.path).test(path) : match.path === path;
  }
  return true;
}

/** The fault registry of one emulator. */
export class Faults {
  private rules: Rule[] = [];
  private random: () => number;

  constructor(
    seed = 1,
    /** Latency added to every request (the `latencyMs` option). */
    public baseLatencyMs = 0,
  ) {
    this.random = seededRandom(seed);
  }

  /** Answer matching requests with an error instead of handling them. */
  error(spec: ErrorFault): FaultHandle {
    return this.add({ kind: "error", spec, state: this.state(spec) });
  }

  /** Destroy the connection of matching requests (optionally after handling them). */
  drop(spec: DropFault = {}): FaultHandle {
    return this.add({ kind: "drop", spec, state: this.state(spec) });
  }

  /** Delay matching requests by `ms` (on top of the base latency). */
  latency(spec: LatencyFault): FaultHandle {
    return this.add({ kind: "latency", spec, state: this.state(spec) });
  }

  /** Removes every fault, resets the base latency to 0 and restarts the generator from `seed`. */
  clear(seed?: number): void {
    for (const r of this.rules) r.state.removed = true;
    this.rules = [];
    this.baseLatencyMs = 0;
    if (seed !== undefined) this.random = seededRandom(seed);
  }

  /** Decides the faults of one request (consumes counts and random draws). */
  decide(method: string, path: string): FaultDecision {
    let delayMs = this.baseLatencyMs;
    let error: EsError | undefined;
    let drop: "before" | "after" | undefined;
    for (const rule of this.rules) {
      if (rule.state.removed || rule.state.remaining === 0 || !matches(rule.spec, method, path)) continue;
      if (rule.kind !== "latency" && (error || drop)) continue; // one outcome per request
      if (rule.spec.rate !== undefined && this.random() >= rule.spec.rate) continue;
      if (rule.state.remaining !== undefined) rule.state.remaining--;
      rule.state.hits++;
      if (rule.kind === "latency") delayMs += rule.spec.ms;
      else if (rule.kind === "drop") drop = rule.spec.afterApply ? "after" : "before";
      else error = errorFor(rule.spec);
    }
    this.rules = this.rules.filter((r) => !r.state.removed && r.state.remaining !== 0);
    return { delayMs, error, drop };
  }

  private state(trigger: FaultTrigger): RuleState {
    if (trigger.rate !== undefined && !(trigger.rate >= 0 && trigger.rate <= 1))
      throw new Error(`fault rate must be between 0 and 1 (got ${trigger.rate})`);
    if (trigger.count !== undefined && !(Number.isInteger(trigger.count) && trigger.count >= 0))
      throw new Error(`fault count must be a non-negative integer (got ${trigger.count})`);
    return { hits: 0, remaining: trigger.count, removed: false };
  }

  private add(rule: Rule): FaultHandle {
    this.rules.push(rule);
    const state = rule.state;
    return {
      get hits() {
        return state.hits;
      },
      get active() {
        return !state.removed && state.remaining !== 0;
      },
      remove: () => {
        state.removed = true;
        this.rules = this.rules.filter((r) => r !== rule);
      },
    };
  }
}

function errorFor(spec: ErrorFault): EsError {
  const defaults = DEFAULT_ERRORS[spec.status] ?? { type: "exception", reason: `injected ${spec.status} error` };
  const retryAfter = spec.retryAfterSeconds ?? (spec.status === 429 ? 1 : undefined);
  return new EsError(
    spec.status,
    spec.type ?? defaults.type,
    spec.reason ?? defaults.reason,
    {},
    retryAfter !== undefined ? { "Retry-After": String(retryAfter) } : {},
  );
}
