/**
 * Printing errors the user can act on, in one place: every `EsinferError` (validation issues, plan problems,
 * refusals, state and lock troubles, an unreachable cluster) is printed as a message, without a stack trace, and
 * exits with the status it carries. Anything else is a bug and is rethrown.
 */
import { isEsinferError } from "../errors";
import { ValidationError, formatIssue } from "../model";
import { PlanError } from "../engine";
import { redact } from "../client";
import { colors, UsageError, type Io } from "./io";

/** Prints a known error and returns its exit code; undefined for errors that are bugs (rethrow those). */
export function reportError(io: Io, error: unknown): number | undefined {
  if (!isEsinferError(error)) return undefined;
  const c = colors(io, io.stderr);
  if (error instanceof ValidationError || error instanceof PlanError) {
    io.stderr.write(
      `${c.red("Error:")} ${error instanceof PlanError ? "the plan cannot be made" : error.message.split("\n")[0]}\n`,
    );
    for (const issue of error.issues) io.stderr.write(`  ${c.red("✗")} ${redact(formatIssue(issue))}\n`);
    return error.exitCode;
  }
  // How esinfer was run (an option, a missing file): a usage line, as commander prints its own.
  if (error instanceof UsageError) {
    io.stderr.write(`esinfer: ${error.message}\n`);
    return error.exitCode;
  }
  // redact: a server may quote back a value it was sent
  io.stderr.write(`${c.red("Error:")} ${redact(error.message)}\n`);
  return error.exitCode;
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
