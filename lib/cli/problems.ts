/** Printing errors the user can act on: validation issues, plan problems, refusals, state and lock troubles. */
import { SecretResolutionError, ValidationError, formatIssue } from "../model";
import { ApplyRefusedError, PlanError, StalePlanError, StateConflictError, StateLockedError } from "../engine";
import { ForceUnlockError, SecretInStateError, StateFormatError } from "../engine/state";
import { ElasticsearchClientError, redact } from "../client";
import { colors, type Io } from "./io";

/** Errors whose message is the whole story: printed as one `Error:` line, exit 1. */
const ONE_LINE = [
  ApplyRefusedError,
  StalePlanError,
  StateLockedError,
  StateConflictError,
  StateFormatError,
  SecretInStateError,
  ForceUnlockError,
  ElasticsearchClientError,
  SecretResolutionError,
];

/** Prints a known error and returns its exit code; undefined for errors that are bugs (rethrow those). */
export function reportError(io: Io, error: unknown): number | undefined {
  const c = colors(io, io.stderr);
  if (error instanceof ValidationError || error instanceof PlanError) {
    io.stderr.write(
      `${c.red("Error:")} ${error instanceof PlanError ? "the plan cannot be made" : error.message.split("\n")[0]}\n`,
    );
    for (const issue of error.issues) io.stderr.write(`  ${c.red("✗")} ${redact(formatIssue(issue))}\n`);
    return 1;
  }
  if (ONE_LINE.some((type) => error instanceof type)) {
    // redact: a server may quote back a value it was sent
    io.stderr.write(`${c.red("Error:")} ${redact((error as Error).message)}\n`);
    return 1;
  }
  return undefined;
}

/** Runs a command's work; errors the user can act on become a message and an exit code, bugs are rethrown. */
export async function reporting(io: Io, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    const code = reportError(io, error);
    if (code === undefined) throw error;
    return code;
  }
}
