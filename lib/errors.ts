/**
 * The root of esinfer's own errors, as aws-cdk's `core/lib/errors.ts` and elastic-transport-js's `src/errors.ts`
 * have one: every error a user can cause (bad input, a refused plan, a held lock, an unreachable cluster) is an
 * `EsinferError` with a stable `code` and the exit status the CLI reports, so the CLI maps errors in one place.
 * Anything else that reaches the CLI is a bug, reported as an internal error.
 *
 * This module imports nothing: every layer (catalogue, model, client, engine, constructs, CLI) may extend it.
 */

/** Exit statuses, as Terraform's: 0 success, 1 error, 2 "changes present" (only with `--detailed-exitcode`). */
export const EXIT = {
  ok: 0,
  error: 1,
  /** `plan --detailed-exitcode` with changes; `validate` with an unreadable input (its documented code). */
  changes: 2,
  /** Interrupted by SIGINT (128 + 2), after a graceful stop. */
  sigint: 130,
  /** Interrupted by SIGTERM (128 + 15), after a graceful stop. */
  sigterm: 143,
  /** A bug: an error that is not an EsinferError (sysexits' EX_SOFTWARE). */
  internal: 70,
} as const;

export interface EsinferErrorOptions {
  /** Stable identifier of the kind of error, e.g. `ESINFER_STATE_LOCKED` (default `ESINFER_ERROR`). */
  readonly code?: string;
  /** The CLI's exit status for it (default 1). */
  readonly exitCode?: number;
  readonly cause?: unknown;
}

/** An error esinfer reports to its user: a message that says what is wrong and what to do, and an exit status. */
export class EsinferError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(message: string, options: EsinferErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code ?? "ESINFER_ERROR";
    this.exitCode = options.exitCode ?? EXIT.error;
  }
}

/** Whether `e` is one of esinfer's own errors (a user's to fix), not a bug. */
export function isEsinferError(e: unknown): e is EsinferError {
  return e instanceof EsinferError;
}
