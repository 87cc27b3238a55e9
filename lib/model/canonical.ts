/**
 * The canonical form of a declaration: request shape with stable key order, the defaults the server would store
 * made explicit (rate limits, chunking), and secrets reduced to their references. The plan engine diffs it against
 * live state and the constructs write it into synthesized stacks, so both agree on what "declared" means.
 */
import type { z } from "zod";
import { getTaskSpec, storedChunking, type ChunkingSettings, type ServiceName, type TaskType } from "../catalogue";
import { isPlainObject, settingsFacts } from "./schema-walk";
import type { ValidatedEndpoint } from "./validate";

export interface CanonicalEndpoint {
  readonly inference_id: string;
  readonly task_type: TaskType;
  readonly service: ServiceName;
  readonly service_settings: Readonly<Record<string, unknown>>;
  readonly task_settings: Readonly<Record<string, unknown>>;
  /** Present exactly for task types that chunk: what the server stores (its default when none was declared). */
  readonly chunking_settings?: ChunkingSettings;
}

/** Defaults the server stores for undeclared fields (not the ones it computes, whose values are not known here). */
function withServerDefaults(schema: z.ZodObject, settings: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...settings };
  for (const [key, fallback] of settingsFacts(schema).defaults) {
    const declared = out[key];
    // Shared, not copied: canonicalize copies everything when it sorts the keys.
    if (declared === undefined) out[key] = fallback;
    else if (isPlainObject(declared) && isPlainObject(fallback)) out[key] = { ...fallback, ...declared };
  }
  return out;
}

export function canonicalize(endpoint: ValidatedEndpoint): CanonicalEndpoint {
  const spec = getTaskSpec(endpoint.service, endpoint.task_type)!;
  return sortKeys({
    inference_id: endpoint.inference_id,
    task_type: endpoint.task_type,
    service: endpoint.service,
    service_settings: withServerDefaults(spec.serviceSettings, endpoint.service_settings),
    task_settings: { ...endpoint.task_settings },
    ...(spec.chunking ? { chunking_settings: storedChunking(endpoint.chunking_settings) } : {}),
  }) as CanonicalEndpoint;
}

/**
 * Deep copy with object keys sorted and undefined values left out, as JSON has them; arrays keep their order
 * (separators and scopes are ordered).
 */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (!isPlainObject(value)) return value;
  // A loop, not fromEntries/map: this runs for every object of every endpoint of a plan.
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (value[key] === undefined) continue; // as in JSON: `{ dimensions: undefined }` declares nothing
    const v = sortKeys(value[key]);
    // A "__proto__" key of a free-form map stays a key (an assignment would set the prototype).
    if (key === "__proto__")
      Object.defineProperty(sorted, key, { value: v, enumerable: true, writable: true, configurable: true });
    else sorted[key] = v;
  }
  return sorted as T;
}

/** JSON with sorted keys: equal values give equal text (for hashing and comparison). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * Whether two JSON values are equal (objects compared key by key whatever the order). Faster than a general deep
 * equality for the plan's thousands of comparisons; anything that is not JSON (a `LiteralSecret`, ...) is equal
 * only to itself.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b) || !isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !jsonEqual(a[key], b[key])) return false;
  return true;
}
