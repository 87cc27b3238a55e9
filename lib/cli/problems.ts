/** Printing errors the user can act on: validation issues, plan problems, refusals. */
import { ValidationError, formatIssue } from "../model";
import { ApplyRefusedError, PlanError, StalePlanError, StateConflictError, StateLockedError } from "../engine";
import { ElasticsearchClientError } from "../client";
import { colors, type Io } from "./io";

/** Prints a known error and returns its exit code; undefined for errors that are bugs (rethrow those). */
export function reportError(io: Io, error: unknown): number | undefined {
  const c = colors(io, io.stderr);
  if (error instanceof ValidationError || error instanceof PlanError) {
    io.stderr.write(
      `${c.red("Error:")} ${error instanceof PlanError ? "the plan cannot be made" : error.message.split("\n")[0]}\n`,
    );
    for (const issue of error.issues) io.stderr.write(`  ${c.red("✗")} ${formatIssue(issue)}\n`);
    return 1;
  }
  if (
    error instanceof ApplyRefusedError ||
    error instanceof StalePlanError ||
    error instanceof StateLockedError ||
    error instanceof StateConflictError ||
    error instanceof ElasticsearchClientError
  ) {
    io.stderr.write(`${c.red("Error:")} ${error.message}\n`);
    return 1;
  }
  if (error instanceof Error && error.name === "SecretResolutionError") {
    io.stderr.write(`${c.red("Error:")} ${error.message}\n`);
    return 1;
  }
  return undefined;
}
