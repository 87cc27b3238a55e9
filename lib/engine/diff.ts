/**
 * Two stacks compared endpoint by endpoint, for promotion ("what will prod get that staging has?"): the endpoints
 * present on one side only, and for the endpoints both have, every field that differs. A side is a stack's
 * declarations in canonical form (the defaults the server stores made explicit, so an omitted default equals the
 * same value declared) or, with `--live`, what its cluster holds for the endpoints it declares.
 *
 * Endpoints pair by `inference_id`, or by the id less a prefix when environments prefix their ids (`staging-emb`
 * and `prod-emb` pair as `emb` with `stripPrefixes: ["staging-", "prod-"]`).
 *
 * Secrets are compared and shown as their references (`{"env": "OPENAI_API_KEY_PROD"}`): never resolved, never a
 * value. A cluster never returns them, so live sides have none to compare.
 */
import { EsinferError } from "../errors";
import { jsonEqual, secretFields } from "../model";
import { isPlainObject } from "../model/schema-walk";

export const DIFF_FORMAT_VERSION = "1.0";

/** An endpoint as one side has it: a canonical declaration, or a live configuration. */
export interface DiffEndpoint {
  readonly inference_id: string;
  readonly task_type: string;
  readonly service: string;
  readonly service_settings: Readonly<Record<string, unknown>>;
  readonly task_settings?: Readonly<Record<string, unknown>>;
  readonly chunking_settings?: Readonly<Record<string, unknown>>;
}

export interface DiffSide {
  /** The name the output gives this side (the stack's name, or its file when both stacks have the same name). */
  readonly label: string;
  /** The stack's name. */
  readonly stack: string;
  /** Where the endpoints were read: `manifest staging.json`, `synthesized (cdktf.out)`, `cluster https://...`. */
  readonly source: string;
  readonly endpoints: readonly DiffEndpoint[];
  /** Declared endpoints the side's cluster does not hold (live sides only). */
  readonly missing?: readonly string[];
}

export interface DiffOptions {
  /** Prefixes removed from inference ids before pairing (the longest that matches). */
  readonly stripPrefixes?: readonly string[];
  /** The sides are clusters' live state: secrets cannot be compared. */
  readonly live?: boolean;
}

export type DiffStatus = "only_left" | "only_right" | "different" | "same";

/** One field whose value differs (or that one side does not have). */
export interface FieldDifference {
  /** Request-shape path: `service`, `service_settings.model_id`, `chunking_settings.max_chunk_size`. */
  readonly path: string;
  /** The left side's value; absent when only the right side has the field. */
  readonly left?: unknown;
  readonly right?: unknown;
  /** A secret: the values are references (`{"env": NAME}`, `{"file": PATH}`), never secret values. */
  readonly secret: boolean;
}

export interface EndpointIdentity {
  readonly inference_id: string;
  readonly service: string;
  readonly task_type: string;
}

export interface EndpointDiff {
  /** What the endpoints paired by: the inference id, less a stripped prefix. */
  readonly key: string;
  readonly status: DiffStatus;
  readonly left?: EndpointIdentity;
  readonly right?: EndpointIdentity;
  /** For `different`: every field that differs, in request-shape order. */
  readonly differences: readonly FieldDifference[];
}

export interface StackDiff {
  readonly format_version: typeof DIFF_FORMAT_VERSION;
  readonly left: SideSummary;
  readonly right: SideSummary;
  readonly live: boolean;
  readonly match: { readonly by: "inference_id"; readonly strip_prefixes: readonly string[] };
  readonly summary: Readonly<Record<DiffStatus, number>>;
  /** Sorted by key. */
  readonly endpoints: readonly EndpointDiff[];
  /** What a reader should know about the comparison (secrets not compared, endpoints missing, a likely prefix). */
  readonly notes: readonly string[];
}

export interface SideSummary {
  readonly label: string;
  readonly stack: string;
  readonly source: string;
  readonly endpoints: number;
}

/** Two endpoints of one side that pair under the same key. */
export class DiffPairingError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_DIFF_PAIRING" });
  }
}

/** Compares two sides endpoint by endpoint. Pure. */
export function diffStacks(left: DiffSide, right: DiffSide, options: DiffOptions = {}): StackDiff {
  const prefixes = [...(options.stripPrefixes ?? [])].sort((a, b) => b.length - a.length);
  const lefts = byKey(left, prefixes);
  const rights = byKey(right, prefixes);
  const keys = [...new Set([...lefts.keys(), ...rights.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const endpoints = keys.map((key): EndpointDiff => {
    const l = lefts.get(key);
    const r = rights.get(key);
    if (!r) return { key, status: "only_left", left: identity(l!), differences: [] };
    if (!l) return { key, status: "only_right", right: identity(r), differences: [] };
    const differences = compareEndpoints(l, r);
    return {
      key,
      status: differences.length === 0 && l.inference_id === r.inference_id ? "same" : "different",
      left: identity(l),
      right: identity(r),
      differences,
    };
  });
  const summary = { only_left: 0, only_right: 0, different: 0, same: 0 };
  for (const e of endpoints) summary[e.status]++;
  return {
    format_version: DIFF_FORMAT_VERSION,
    left: sideSummary(left),
    right: sideSummary(right),
    live: options.live === true,
    match: { by: "inference_id", strip_prefixes: options.stripPrefixes ?? [] },
    summary,
    endpoints,
    notes: notes(left, right, summary, options),
  };
}

/** A side's endpoints by pairing key; two endpoints under one key are an error naming both. */
function byKey(side: DiffSide, prefixes: readonly string[]): Map<string, DiffEndpoint> {
  const map = new Map<string, DiffEndpoint>();
  for (const endpoint of side.endpoints) {
    const key = pairingKey(endpoint.inference_id, prefixes);
    const other = map.get(key);
    if (other)
      throw new DiffPairingError(
        `stack ${side.label} has two endpoints that pair as "${key}" once a prefix is stripped: ` +
          `${other.inference_id} and ${endpoint.inference_id}; strip fewer prefixes (--strip-prefix)`,
      );
    map.set(key, endpoint);
  }
  return map;
}

/** The id less the longest of `prefixes` it starts with (never all of it). */
export function pairingKey(id: string, prefixes: readonly string[]): string {
  const prefix = prefixes.find((p) => p.length > 0 && p.length < id.length && id.startsWith(p));
  return prefix === undefined ? id : id.slice(prefix.length);
}

const identity = (e: DiffEndpoint): EndpointIdentity => ({
  inference_id: e.inference_id,
  service: e.service,
  task_type: e.task_type,
});

const sideSummary = (side: DiffSide): SideSummary => ({
  label: side.label,
  stack: side.stack,
  source: side.source,
  endpoints: side.endpoints.length,
});

// ---------------------------------------------------------------------------------------------------------------
// Field by field

const SECTIONS = ["service_settings", "task_settings", "chunking_settings"] as const;

/** Every field that differs between two paired endpoints: service and task type, then each section's leaves. */
function compareEndpoints(left: DiffEndpoint, right: DiffEndpoint): FieldDifference[] {
  const differences: FieldDifference[] = [];
  for (const path of ["service", "task_type"] as const)
    if (left[path] !== right[path]) differences.push({ path, left: left[path], right: right[path], secret: false });
  const l = leaves(left);
  const r = leaves(right);
  // Section by section (service, task, chunking settings), each in key order.
  const section = (path: string) => SECTIONS.findIndex((s) => path.startsWith(`${s}.`));
  const paths = [...new Set([...l.keys(), ...r.keys()])].sort(
    (a, b) => section(a) - section(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  for (const path of paths) {
    const a = l.get(path);
    const b = r.get(path);
    if (a !== undefined && b !== undefined && jsonEqual(a.value, b.value)) continue;
    differences.push({
      path,
      ...(a !== undefined ? { left: a.value } : {}),
      ...(b !== undefined ? { right: b.value } : {}),
      secret: (a?.secret ?? false) || (b?.secret ?? false),
    });
  }
  return differences;
}

interface Leaf {
  readonly value: unknown;
  readonly secret: boolean;
}

/**
 * The leaves of an endpoint's settings by path (`service_settings.rate_limit.requests_per_minute`). Objects are
 * walked; arrays and secrets are leaves. A Map: keys are user data (`__proto__` too).
 */
function leaves(endpoint: DiffEndpoint): Map<string, Leaf> {
  const secrets = new Set(secretFields(endpoint).map((f) => f.path));
  const out = new Map<string, Leaf>();
  const walk = (path: string, value: unknown) => {
    if (secrets.has(path)) out.set(path, { value, secret: true });
    else if (isPlainObject(value) && Object.keys(value).length > 0)
      for (const key of Object.keys(value)) walk(`${path}.${key}`, value[key]);
    else if (value !== undefined) out.set(path, { value, secret: false });
  };
  for (const section of SECTIONS) {
    const settings = endpoint[section];
    if (settings !== undefined) for (const key of Object.keys(settings)) walk(`${section}.${key}`, settings[key]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Notes

function notes(left: DiffSide, right: DiffSide, summary: Record<DiffStatus, number>, options: DiffOptions): string[] {
  const out: string[] = [];
  if (options.live) out.push("Secrets are not compared: Elasticsearch never returns them.");
  for (const side of [left, right])
    if (side.missing && side.missing.length > 0)
      out.push(
        `${side.label} declares ${side.missing.length === 1 ? "an endpoint" : "endpoints"} its cluster does not ` +
          `hold: ${side.missing.join(", ")}.`,
      );
  const paired = summary.different + summary.same;
  if (paired === 0 && left.endpoints.length > 0 && right.endpoints.length > 0) {
    const prefixes = [commonPrefix(left), commonPrefix(right)];
    if (prefixes[0] !== undefined && prefixes[1] !== undefined && prefixes[0] !== prefixes[1])
      out.push(
        `No endpoint pairs by inference_id; the ids differ by prefix? Try --strip-prefix ${prefixes[0]} ` +
          `--strip-prefix ${prefixes[1]}.`,
      );
    else out.push("No endpoint pairs by inference_id.");
  }
  return out;
}

/** The prefix every id of a side starts with, up to and including a separator (`-`, `_`, `.`). */
function commonPrefix(side: DiffSide): string | undefined {
  const ids = side.endpoints.map((e) => e.inference_id);
  let prefix = ids[0] ?? "";
  for (const id of ids) while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = Math.max(prefix.lastIndexOf("-"), prefix.lastIndexOf("_"), prefix.lastIndexOf("."));
  return cut > 0 && ids.every((id) => id.length > cut + 1) ? prefix.slice(0, cut + 1) : undefined;
}

/** Whether the stacks differ at all (`--detailed-exitcode`). */
export function hasDifferences(diff: Pick<StackDiff, "summary">): boolean {
  return diff.summary.only_left + diff.summary.only_right + diff.summary.different > 0;
}
