/**
 * Progress of an apply. In a terminal (output a TTY, not CI): a progress bar with the endpoints in flight, and each
 * finished step printed above it. Anywhere else (CI, pipes, files): exactly one plain line per event, with a
 * `[done/total]` counter and no carriage return or cursor movement, so logs stay readable.
 *
 *   [  1/12] + quickstart-elser: creating...
 *   [  3/12] + quickstart-elser: created (412 ms)
 *   [  4/12] ✗ foo: update failed: <message> (88 ms)
 *
 * Call `finish()` once the apply is over (in a `finally`): it stops the bar's timer, clears the bar and prints a
 * one-line summary. `applyWithProgress` does all of that around a session's apply.
 */
import { MultiBar, type SingleBar } from "cli-progress";
import type { StackSession } from "../engine";
import type { Action, Plan } from "../engine/plan-types";
import type { ApplyEvent } from "../engine/apply";
import { ACTION_SYMBOL, printable } from "../engine/render/human";
import { colors, type Colors, type Io, type Output } from "./io";

export interface ProgressOptions {
  /** Endpoints the apply works on (the plan's endpoints that are not no-ops); 0 when not known (`[  3/?]`). */
  readonly total: number;
  /**
   * Bar (true) or plain lines (false). Default: a bar when the output is a TTY, `CI` is unset (or `false`) and
   * `TERM` is not `dumb`. A bar is never drawn on a stream that is not a TTY, whatever this says.
   */
  readonly live?: boolean;
  /** Where to write (default `io.stdout`; `io.stderr` keeps stdout clean for `--json`). */
  readonly output?: Output;
  /** Clock for the elapsed time in the summary (tests). */
  readonly now?: () => number;
}

export interface Progress {
  onEvent(event: ApplyEvent): void;
  /** Clears the bar (if any) and prints the summary; idempotent. */
  finish(): void;
}

/** Whether we run in CI: `CI` set to anything but an empty string or `false`. */
export function isCI(env: Io["env"]): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci.toLowerCase() !== "false";
}

/** Whether a live progress bar suits the stream (default stdout). */
export function isLive(io: Io, stream: Output = io.stdout): boolean {
  return stream.isTTY === true && !isCI(io.env) && io.env.TERM !== "dumb";
}

const ING: Readonly<Record<Action | "verify", string>> = {
  create: "creating",
  update: "updating in place",
  replace: "replacing (delete, then create)",
  delete: "deleting",
  "no-op": "checking",
  verify: "verifying",
};

const ED: Readonly<Record<Action | "verify", string>> = {
  create: "created",
  update: "updated in place",
  replace: "replaced",
  delete: "deleted",
  "no-op": "unchanged",
  verify: "verified",
};

/** `412 ms`, `3.4 s`, `2m 05s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "? ms";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

/** The line an event prints (without counter and color). */
export function describeEvent(e: ApplyEvent): { symbol: string; text: string } {
  const id = printable(e.inferenceId);
  const message = e.message ? printable(e.message) : "";
  const took = e.durationMs !== undefined ? ` (${formatDuration(e.durationMs)})` : "";
  const symbol = e.action === "verify" ? "✓" : (ACTION_SYMBOL[e.action] ?? "*").trim() || "*";
  switch (e.kind) {
    case "start":
      return { symbol: e.action === "verify" ? "?" : symbol, text: `${id}: ${ING[e.action] ?? e.action}...` };
    case "done":
      return { symbol, text: `${id}: ${ED[e.action] ?? e.action}${message ? `: ${message}` : ""}${took}` };
    case "failed":
      return {
        symbol: "✗",
        text: `${id}: ${e.action === "verify" ? "verification" : e.action} failed: ${message || "unknown error"}${took}`,
      };
    case "note":
      return { symbol: "!", text: `${id}: ${message}` };
    default:
      return { symbol: "*", text: `${id}: ${String((e as ApplyEvent).kind)} ${message}`.trim() };
  }
}

export function createProgress(io: Io, options: ProgressOptions): Progress {
  const total = Math.max(0, Math.floor(options.total));
  const now = options.now ?? Date.now;
  const startedAt = now();
  const out = options.output ?? io.stdout;
  const c = colors(io, out);
  const width = Math.max(3, String(total).length);

  /** Endpoints whose create/update/replace/delete step ended (success or not): what the counter counts. */
  const finished = new Set<string>();
  /** Endpoints with any failure (step, read-back or verification). */
  const failed = new Set<string>();
  const inFlight = new Map<string, string>();

  const counter = () => `[${String(finished.size).padStart(width)}/${total > 0 ? total : "?"}]`;
  const line = (e: ApplyEvent) => {
    const { symbol, text } = describeEvent(e);
    return `${c.dim(counter())} ${paint(c, e)(`${symbol} ${text}`)}`;
  };

  const track = (e: ApplyEvent) => {
    const key = `${e.action}\u0000${e.inferenceId}`;
    if (e.kind === "start") inFlight.set(key, e.inferenceId);
    if (e.kind === "done" || e.kind === "failed") {
      inFlight.delete(key);
      if (e.action !== "verify") finished.add(e.inferenceId);
    }
    if (e.kind === "failed") failed.add(e.inferenceId);
  };

  const summary = () => {
    const ok = [...finished].filter((id) => !failed.has(id)).length;
    const of = total > 0 ? ` of ${total}` : "";
    const text =
      `Finished ${finished.size}${of} endpoint${(total || finished.size) === 1 ? "" : "s"} in ` +
      `${formatDuration(now() - startedAt)}: ${ok} succeeded, ${failed.size} failed.`;
    return failed.size > 0 ? c.red(text) : c.green(text);
  };

  let live = (options.live ?? isLive(io, out)) && out.isTTY === true && total > 0;
  let bars: MultiBar | undefined;
  let bar: SingleBar | undefined;
  if (live) {
    try {
      ({ bars, bar } = startBar(out, total, inFlightText([])));
    } catch {
      live = false; // a stream cli-progress cannot drive: plain lines still work
    }
  }
  let done = false;

  return {
    onEvent(e) {
      track(e);
      if (!live || done || !bars || !bar) {
        out.write(line(e) + "\n");
        return;
      }
      if (e.kind !== "start") bars.log(line(e) + "\n");
      bar.update(Math.min(finished.size, total), { inflight: inFlightText([...inFlight.values()]) });
    },
    finish() {
      if (done) return;
      done = true;
      if (live && bars && bar) {
        bar.update(Math.min(finished.size, total), { inflight: "" });
        bars.update(); // flush the lines logged since the last redraw
        bars.stop(); // clearOnComplete: the bar goes, the lines stay
      }
      out.write(summary() + "\n");
    },
  };
}

type SessionApplyOptions = NonNullable<Parameters<StackSession["apply"]>[0]>;

/**
 * `session.apply(options)` with progress: the plan being carried out is recorded when `confirm` is called (or is
 * the plan passed in), the progress is created at the first event with that plan's changes as its total, and it
 * is finished whatever happens (a live bar's timer must stop on errors too). `confirm` defaults to yes.
 */
export async function applyWithProgress(
  io: Io,
  session: StackSession,
  options: Omit<SessionApplyOptions, "onEvent">,
  progressOptions: Omit<ProgressOptions, "total"> = {},
): ReturnType<StackSession["apply"]> {
  let applying: Plan | undefined = options.plan; // known before the first event
  let progress: Progress | undefined;
  try {
    return await session.apply({
      ...options,
      confirm: async (plan) => {
        applying = plan;
        return options.confirm ? options.confirm(plan) : true;
      },
      onEvent: (event) => {
        progress ??= createProgress(io, {
          ...progressOptions,
          total: applying?.endpoints.filter((e) => e.action !== "no-op").length ?? 0,
        });
        progress.onEvent(event);
      },
    });
  } finally {
    progress?.finish(); // also on errors: a live bar's timer must stop, and the terminal be left clean
  }
}

function paint(c: Colors, e: ApplyEvent): (s: string) => string {
  if (e.kind === "failed") return c.red;
  if (e.kind === "note") return c.yellow;
  if (e.kind === "start") return (s) => s;
  switch (e.action) {
    case "create":
      return c.green;
    case "update":
      return c.yellow;
    case "replace":
      return c.magenta;
    case "delete":
      return c.red;
    case "verify":
      return c.cyan;
    default:
      return (s) => s;
  }
}

function inFlightText(ids: readonly string[]): string {
  if (ids.length === 0) return "";
  const shown = ids.slice(0, 3).map(printable).join(", ");
  return `${ids.length} in flight: ${shown}${ids.length > 3 ? `, +${ids.length - 3}` : ""}`;
}

function startBar(output: Output, total: number, inflight: string): { bars: MultiBar; bar: SingleBar } {
  const out = output as Output & { columns?: number };
  // cli-progress writes escape sequences through `write` and reads `isTTY` and `columns`; nothing else.
  const stream = {
    write: (s: string) => (out.write(s), true),
    isTTY: true,
    get columns() {
      return out.columns;
    },
  } as unknown as NodeJS.WritableStream;
  const bars = new MultiBar({
    stream,
    format: "Applying {bar} {value}/{total} {inflight}",
    barCompleteChar: "█",
    barIncompleteChar: "░",
    barsize: 24,
    fps: 10,
    clearOnComplete: true,
    // Never leave the user's terminal altered if the process dies mid-apply: no hidden cursor, no disabled
    // line wrapping (lines are cut to the width instead), no signal handlers of our own.
    hideCursor: false,
    linewrap: true,
    gracefulExit: false,
  });
  const bar = bars.create(total, 0, { inflight });
  return { bars, bar };
}
