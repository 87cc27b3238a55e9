/**
 * Creating, parsing and serializing stack states. Parsing never repairs: a corrupt or foreign document is an error
 * naming where it was found, and the stores never overwrite it (it may be the only record of what a stack owns).
 */
import { EsinferError } from "../../errors";
import { randomUUID } from "node:crypto";
import { newFingerprintSalt } from "../../model/secrets";
import { STATE_FORMAT_VERSION, StackStateSchema, type StackState } from "./types";

/** A stored state that cannot be used: not JSON, not an esinfer state, another format version, or another stack. */
export class StateFormatError extends EsinferError {
  constructor(
    /** The store's description, e.g. `file .esinfer/state/prod.json`. */
    readonly store: string,
    detail: string,
  ) {
    super(`the stack's state (${store}) ${detail}; esinfer left it untouched: fix it or restore it from a backup`, {
      code: "ESINFER_STATE_FORMAT",
    });
  }
}

/** A new state for `stack`: serial 0, a fresh lineage and fingerprint salt, no endpoints. */
export function emptyState(stack: string): StackState {
  return {
    format_version: STATE_FORMAT_VERSION,
    stack,
    lineage: randomUUID(),
    serial: 0,
    salt: newFingerprintSalt(),
    endpoints: {},
  };
}

const MAX_ISSUES = 5;

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const listed = issues
    .slice(0, MAX_ISSUES)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
  return issues.length > MAX_ISSUES ? `${listed}; and ${issues.length - MAX_ISSUES} more` : listed;
}

/**
 * Validates a parsed state document read from `store` (its description) and checks it belongs to `stack`.
 * Throws {@link StateFormatError}.
 */
export function parseState(raw: unknown, store: string, stack: string): StackState {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw) || !("format_version" in raw)) {
    throw new StateFormatError(store, "is not an esinfer state (no format_version)");
  }
  const version = (raw as { format_version: unknown }).format_version;
  if (version !== STATE_FORMAT_VERSION) {
    const newer = typeof version === "number" && version > STATE_FORMAT_VERSION;
    throw new StateFormatError(
      store,
      newer
        ? `was written by a newer esinfer (state format ${version}; this version reads format ${STATE_FORMAT_VERSION})`
        : `has an unsupported format_version ${JSON.stringify(version)}`,
    );
  }
  const result = StackStateSchema.safeParse(raw);
  if (!result.success) throw new StateFormatError(store, `is invalid: ${describeIssues(result.error.issues)}`);
  if (result.data.stack !== stack) {
    throw new StateFormatError(store, `holds the state of stack "${result.data.stack}", not of stack "${stack}"`);
  }
  return result.data;
}

/** The JSON document of a stored state's text, not yet validated. Throws {@link StateFormatError}. */
export function parseStateText(text: string, store: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StateFormatError(store, `is not valid JSON (${(e as Error).message})`);
  }
}

/** {@link parseState} of JSON text. */
export function parseStateJson(text: string, store: string, stack: string): StackState {
  return parseState(parseStateText(text, store), store, stack);
}

/**
 * Checks a state before it is written (a bug in the caller, not a stored document): valid against the schema and
 * of this store's stack. Returns the validated copy.
 */
export function checkStateToWrite(state: StackState, store: string, stack: string): StackState {
  const result = StackStateSchema.safeParse(state);
  if (!result.success) {
    throw new Error(`refusing to write an invalid state to ${store}: ${describeIssues(result.error.issues)}`);
  }
  if (state.stack !== stack) {
    throw new Error(`refusing to write the state of stack "${state.stack}" to ${store} (stack "${stack}")`);
  }
  return result.data;
}

/** The state as stored: indented JSON with a final newline (readable, and diff-friendly if someone commits it). */
export function serializeState(state: StackState): string {
  return JSON.stringify(state, null, 2) + "\n";
}
