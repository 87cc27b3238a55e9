/**
 * Creating, parsing and serializing stack states. Parsing never repairs: a corrupt or foreign document is an error
 * naming where it was found, and the stores never overwrite it (it may be the only record of what a stack owns).
 *
 * Endpoint ids and secret paths are names chosen by users: the maps keyed by them (`endpoints`, each `secrets`)
 * are null-prototype objects, so an id such as `constructor` or `__proto__` is an entry like any other (read,
 * looked up, written back), never a member of `Object.prototype` and never a prototype.
 */
import { EsinferError } from "../../errors";
import { randomUUID } from "node:crypto";
import { describeJsonError } from "../../model/json-error";
import { newFingerprintSalt } from "../../model/secrets";
import { decodeUtf8, escapeUnsafe, InputEncodingError } from "../../model/text";
import {
  OwnedEndpointSchema,
  STATE_FORMAT_VERSION,
  StackStateSchema,
  type OwnedEndpoint,
  type StackState,
} from "./types";

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
    endpoints: Object.create(null) as StackState["endpoints"],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

type Issue = { readonly path: readonly PropertyKey[]; readonly message: string };

// The envelope and each endpoint are checked by the schema; the maps keyed by user names are walked here, as a
// record schema would build ordinary objects by assignment (an entry `__proto__` would become their prototype).
const EnvelopeSchema = StackStateSchema.omit({ endpoints: true });
const EndpointFieldsSchema = OwnedEndpointSchema.omit({ secrets: true });
const ENDPOINT_KEYS = Object.keys(OwnedEndpointSchema.shape) as (keyof OwnedEndpoint)[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A validated copy of a state document (sharing each endpoint's `declared`), or every problem found. */
function validateState(raw: unknown): { state: StackState } | { issues: Issue[] } {
  const issues: Issue[] = [];
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success) issues.push(...envelope.error.issues);
  const rawEndpoints = isObject(raw) && Object.hasOwn(raw, "endpoints") ? raw["endpoints"] : undefined;
  const endpoints = Object.create(null) as Record<string, OwnedEndpoint>;
  if (!isObject(rawEndpoints)) issues.push({ path: ["endpoints"], message: "must be an object of endpoints by id" });
  else
    for (const id of Object.keys(rawEndpoints)) {
      const endpoint = validateEndpoint(rawEndpoints[id], ["endpoints", id], issues);
      if (endpoint !== undefined) endpoints[id] = endpoint;
    }
  if (!envelope.success || issues.length > 0) return { issues };
  return { state: { ...envelope.data, endpoints } };
}

function validateEndpoint(raw: unknown, path: readonly string[], issues: Issue[]): OwnedEndpoint | undefined {
  const fields = EndpointFieldsSchema.safeParse(raw);
  if (!fields.success) {
    for (const i of fields.error.issues) issues.push({ path: [...path, ...i.path], message: i.message });
    return undefined;
  }
  const rawSecrets = (raw as Record<string, unknown>)["secrets"];
  if (!isObject(rawSecrets)) {
    issues.push({ path: [...path, "secrets"], message: "must be an object of fingerprints by secret path" });
    return undefined;
  }
  const secrets = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(rawSecrets)) {
    const fingerprint = rawSecrets[key];
    if (typeof fingerprint === "string") secrets[key] = fingerprint;
    else issues.push({ path: [...path, "secrets", key], message: "must be a string" });
  }
  // The schema's key order, so a rewritten state reads like the one before.
  const data = fields.data as Record<string, unknown>;
  const endpoint: Record<string, unknown> = {};
  for (const key of ENDPOINT_KEYS)
    if (key === "secrets") endpoint[key] = secrets;
    else if (data[key] !== undefined) endpoint[key] = data[key];
  return endpoint as OwnedEndpoint;
}

const MAX_ISSUES = 5;

function describeIssues(issues: readonly Issue[]): string {
  const listed = issues
    .slice(0, MAX_ISSUES)
    .map((i) => `${escapeUnsafe(i.path.map(String).join(".")) || "(root)"}: ${i.message}`)
    .join("; ");
  return issues.length > MAX_ISSUES ? `${listed}; and ${issues.length - MAX_ISSUES} more` : listed;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/**
 * Validates a parsed state document read from `store` (its description) and checks it belongs to `stack`.
 * Throws {@link StateFormatError}.
 */
export function parseState(raw: unknown, store: string, stack: string): StackState {
  if (!isObject(raw) || !Object.hasOwn(raw, "format_version")) {
    throw new StateFormatError(store, "is not an esinfer state (no format_version)");
  }
  const version = raw["format_version"];
  // Format 1 (before ownership claims, imports kept undeclared and Terraform markers) reads as format 2: it has
  // nothing format 2 lacks. It is written back as 2, which an older esinfer then refuses instead of misreading.
  if (version === 1) raw = { ...raw, format_version: STATE_FORMAT_VERSION };
  else if (version !== STATE_FORMAT_VERSION) {
    const newer = typeof version === "number" && version > STATE_FORMAT_VERSION;
    throw new StateFormatError(
      store,
      newer
        ? `was written by a newer esinfer (state format ${version}; this version reads format ${STATE_FORMAT_VERSION})`
        : `has an unsupported format_version ${escapeUnsafe(JSON.stringify(version) ?? "")}`,
    );
  }
  const result = validateState(raw);
  if ("issues" in result) throw new StateFormatError(store, `is invalid: ${describeIssues(result.issues)}`);
  if (result.state.stack !== stack) {
    throw new StateFormatError(
      store,
      `holds the state of stack ${escapeUnsafe(JSON.stringify(result.state.stack))}, not of stack "${stack}"`,
    );
  }
  return result.state;
}

/**
 * The text of a stored state: UTF-8 bytes (a file) or a string (a document field). A leading byte-order mark is
 * dropped (editors on Windows add one); bytes that are not UTF-8, or a string that could not be written as UTF-8
 * (a lone surrogate), are refused: read with replacement characters, the state would be rewritten silently.
 * Throws {@link StateFormatError}.
 */
export function stateText(stored: Uint8Array | string, store: string): string {
  if (typeof stored === "string") {
    const bad = LONE_SURROGATE.exec(stored);
    if (bad) throw new StateFormatError(store, `is not valid Unicode text (a lone surrogate at offset ${bad.index})`);
    return stored.charCodeAt(0) === 0xfeff ? stored.slice(1) : stored;
  }
  const what = `the stack's state (${store})`;
  try {
    return decodeUtf8(stored, what);
  } catch (e) {
    if (!(e instanceof InputEncodingError)) throw e;
    throw new StateFormatError(store, e.message.slice(what.length + 1));
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The JSON document of a stored state's text, not yet validated. Throws {@link StateFormatError}. */
export function parseStateText(text: string, store: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StateFormatError(store, `is not valid JSON (${escapeUnsafe(describeJsonError(text, e as Error))})`);
  }
}

/** {@link parseState} of JSON text. */
export function parseStateJson(text: string, store: string, stack: string): StackState {
  return parseState(parseStateText(text, store), store, stack);
}

/**
 * Checks a state before it is written (a bug in the caller, not a stored document): valid against the schema and
 * of this store's stack. Returns the validated copy (null-prototype maps; each endpoint's `declared` shared).
 */
export function checkStateToWrite(state: StackState, store: string, stack: string): StackState {
  const result = validateState(state);
  if ("issues" in result) {
    throw new Error(`refusing to write an invalid state to ${store}: ${describeIssues(result.issues)}`);
  }
  if (state.stack !== stack) {
    throw new Error(`refusing to write the state of stack "${state.stack}" to ${store} (stack "${stack}")`);
  }
  return result.state;
}

/** The state as stored: indented JSON with a final newline (readable, and diff-friendly if someone commits it). */
export function serializeState(state: StackState): string {
  return JSON.stringify(state, null, 2) + "\n";
}
