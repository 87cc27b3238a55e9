/**
 * Ctrl-C and SIGTERM during a command that changes things (apply, destroy, import, the Terraform hooks), as
 * Terraform handles them: the first signal stops starting new work and lets requests in flight finish (for a
 * bounded grace period), so the run records what it did and releases its lock; a second signal (or the end of the
 * grace period) abandons the requests in flight; the run then exits 130 (SIGINT) or 143 (SIGTERM). A re-run
 * converges: what an abandoned request did is read back by the next plan.
 *
 * Hooks run by Terraform also watch their parent: when Terraform is killed (its provisioner's parent is gone) or
 * their output pipe is closed, they stop the same way, so no esinfer process outlives the Terraform run.
 */
import { EXIT } from "../errors";
import type { Io } from "./io";

/** Why a run was interrupted. */
export type InterruptReason = "SIGINT" | "SIGTERM" | "parent-exit" | "output-closed";

export interface Interruption {
  /** Fires at the first interruption: start nothing new. */
  readonly stop: AbortSignal;
  /** Fires at a second interruption, or when the grace period ends: abandon the requests in flight. */
  readonly abort: AbortSignal;
  /** What interrupted the run, once something did. */
  readonly reason: InterruptReason | undefined;
}

export interface InterruptOptions {
  /** How long requests in flight may take to finish after the first signal, in ms (default 5 s). */
  readonly graceMs?: number;
  /** Also stop when the parent process exits or stdout/stderr is closed (the Terraform hooks). */
  readonly watchParent?: boolean;
  /** How often the parent is checked, in ms (default 250). */
  readonly parentPollMs?: number;
  /** The process whose signals and parent are watched (tests inject a fake). */
  readonly process?: Pick<NodeJS.Process, "on" | "off" | "ppid" | "exit">;
}

export const DEFAULT_GRACE_MS = 5_000;

/** The exit status of a run stopped for `reason`: 128 + the signal's number, as shells report it. */
export function interruptedExitCode(reason: InterruptReason): number {
  return reason === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
}

/**
 * Runs `work` with SIGINT/SIGTERM handled as described above. Resolves to `work`'s exit code, or to 130/143 when
 * the run was interrupted (whatever `work` returned: an interrupted run did not do all it was asked).
 */
export async function runInterruptible(
  io: Io,
  work: (interruption: Interruption) => Promise<number>,
  options: InterruptOptions = {},
): Promise<number> {
  const proc = options.process ?? process;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const stop = new AbortController();
  const abort = new AbortController();
  let reason: InterruptReason | undefined;
  let signals = 0;
  let graceTimer: NodeJS.Timeout | undefined;

  const interrupt = (why: InterruptReason) => {
    signals++;
    if (signals === 1) {
      reason = why;
      say(
        io,
        `\n${describe(why)}: starting nothing new; waiting up to ${Math.round(graceMs / 1000)} s for the requests in ` +
          `flight, then recording what was done and releasing the lock.${why === "SIGINT" ? " Press Ctrl-C again to stop at once." : ""}\n`,
      );
      stop.abort(why);
      graceTimer = setTimeout(() => abort.abort(why), graceMs);
      graceTimer.unref();
    } else if (signals === 2) {
      say(io, `\n${describe(why)} again: abandoning the requests in flight; releasing the lock where it can.\n`);
      abort.abort(why);
    } else {
      // A third signal: whatever is still pending (a lock release on an unreachable cluster) is given up.
      say(
        io,
        `\nStopped at once. If the lock was left, remove it with esinfer force-unlock (its id is printed above).\n`,
      );
      proc.exit(interruptedExitCode(reason ?? why));
    }
  };
  const onSigint = () => interrupt("SIGINT");
  const onSigterm = () => interrupt("SIGTERM");
  proc.on("SIGINT", onSigint);
  proc.on("SIGTERM", onSigterm);

  const stopWatching = options.watchParent ? watchParent(io, proc, options.parentPollMs ?? 250, interrupt) : () => {};
  try {
    const code = await work({
      stop: stop.signal,
      abort: abort.signal,
      get reason() {
        return reason;
      },
    });
    return reason ? interruptedExitCode(reason) : code;
  } finally {
    if (graceTimer) clearTimeout(graceTimer);
    stopWatching();
    proc.off("SIGINT", onSigint);
    proc.off("SIGTERM", onSigterm);
  }
}

function describe(reason: InterruptReason): string {
  switch (reason) {
    case "SIGINT":
      return "Interrupted (Ctrl-C)";
    case "SIGTERM":
      return "Terminated (SIGTERM)";
    case "parent-exit":
      return "The process that started esinfer (Terraform) is gone";
    case "output-closed":
      return "The output of esinfer was closed";
  }
}

/** Writes to stderr, ignoring a closed stream (the message is best effort when the reader is gone). */
function say(io: Io, text: string): void {
  try {
    io.stderr.write(text);
  } catch {
    // the reader is gone
  }
}

/**
 * Calls `interrupt` once when the parent process is gone (Linux and macOS re-parent an orphan, so `ppid` changes)
 * or when stdout or stderr report a closed pipe (EPIPE). Returns the function that stops watching.
 */
function watchParent(
  io: Io,
  proc: Pick<NodeJS.Process, "ppid">,
  pollMs: number,
  interrupt: (why: InterruptReason) => void,
): () => void {
  const parent = proc.ppid;
  let fired = false;
  const fire = (why: InterruptReason) => {
    if (fired) return;
    fired = true;
    interrupt(why);
  };
  const poll = setInterval(() => {
    if (proc.ppid !== parent) fire("parent-exit");
  }, pollMs);
  poll.unref();
  const onError = (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") fire("output-closed");
  };
  const streams = [io.stdout, io.stderr].filter(
    (s): s is typeof s & NodeJS.EventEmitter => typeof (s as Partial<NodeJS.EventEmitter>).on === "function",
  );
  for (const s of streams) s.on("error", onError);
  return () => {
    clearInterval(poll);
    for (const s of streams) s.off("error", onError);
  };
}
