/**
 * Walks a value alongside the catalogue's zod schema. The schema knows which keys are fixed settings (renamed
 * between camelCase and snake_case), which are free-form maps (kept as written), which enums to case-fold as the
 * server does, and where the secrets are.
 */
import { z } from "zod";
import { infoOf, CHUNKING_SCHEMAS, type ChunkingStrategy, type Since } from "../catalogue";

export const snakeCase = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
export const camelCase = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return true; // the common case, first
  // Realm-agnostic: a plain object's prototype is some realm's Object.prototype (whose own prototype is null).
  return !Array.isArray(value) && Object.getPrototypeOf(proto) === null;
}

// Walks run once per field of every endpoint (thousands per plan), and zod's `instanceof` checks are not cheap:
// the answers for the catalogue's (never changing) schemas are cached.
const unwrapped = new WeakMap<z.ZodType, z.ZodType>();

/** The schema under optional/nullable/default/pipe wrappers. */
export function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  if (!schema) return undefined;
  let found = unwrapped.get(schema);
  if (found === undefined) {
    let s = schema;
    for (;;) {
      if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault)
        s = s.unwrap() as z.ZodType;
      else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
      else break;
    }
    found = s;
    unwrapped.set(schema, found);
  }
  return found;
}

const shapes = new WeakMap<z.ZodType, Record<string, z.ZodType> | null>();

/** The object schema's shape, or undefined when the schema is not a fixed-key object. */
export function shapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  const s = unwrap(schema);
  if (!s) return undefined;
  let shape = shapes.get(s);
  if (shape === undefined) {
    shape = s instanceof z.ZodObject ? (s.shape as Record<string, z.ZodType>) : null;
    shapes.set(s, shape);
  }
  return shape ?? undefined;
}

/** The chunking schema for a value's strategy (chunking settings are a union keyed by `strategy`). */
export function chunkingSchemaFor(value: unknown): z.ZodType | undefined {
  const strategy = isPlainObject(value) && Object.hasOwn(value, "strategy") ? value.strategy : undefined;
  return typeof strategy === "string" && Object.hasOwn(CHUNKING_SCHEMAS, strategy)
    ? CHUNKING_SCHEMAS[strategy as ChunkingStrategy]
    : undefined;
}

/**
 * The schema of a shape's field named `key`, or undefined: keys are user data, and `constructor` or `__proto__`
 * must not find Object.prototype's members.
 */
export function fieldOf(shape: Readonly<Record<string, z.ZodType>>, key: string): z.ZodType | undefined {
  return Object.hasOwn(shape, key) ? shape[key] : undefined;
}

/**
 * Renames camelCase keys to the schema's snake_case keys, recursively; free-form maps (records) keep their keys.
 * Keys the schema does not know are converted mechanically, so validation can point at them in request shape.
 */
export function toSnakeKeys(schema: z.ZodType | undefined, value: unknown): unknown {
  const s = unwrap(schema);
  if (Array.isArray(value)) {
    if (s instanceof z.ZodArray) return value.map((v) => toSnakeKeys(s.element as z.ZodType, v));
    if (s instanceof z.ZodTuple) return value.map((v, i) => toSnakeKeys(s.def.items[i] as z.ZodType | undefined, v));
    return value;
  }
  if (!isPlainObject(value)) return value;
  if (s instanceof z.ZodRecord) {
    const inner = s.valueType as z.ZodType;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toSnakeKeys(inner, v)]));
  }
  const shape = shapeOf(s);
  if (!shape) return value; // secret references and unknown structures are kept as written
  const byCamel = new Map(Object.keys(shape).map((k) => [camelCase(k), k]));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const key = Object.hasOwn(shape, k) ? k : (byCamel.get(k) ?? snakeCase(k));
      return [key, toSnakeKeys(fieldOf(shape, key), v)];
    }),
  );
}

/** Renames snake_case keys to camelCase for TypeScript output (the inverse of `toSnakeKeys`). */
export function toCamelKeys(schema: z.ZodType | undefined, value: unknown): unknown {
  const s = unwrap(schema);
  if (Array.isArray(value)) {
    if (s instanceof z.ZodArray) return value.map((v) => toCamelKeys(s.element as z.ZodType, v));
    if (s instanceof z.ZodTuple) return value.map((v, i) => toCamelKeys(s.def.items[i] as z.ZodType | undefined, v));
    return value;
  }
  if (!isPlainObject(value)) return value;
  if (s instanceof z.ZodRecord) {
    const inner = s.valueType as z.ZodType;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCamelKeys(inner, v)]));
  }
  const shape = shapeOf(s);
  if (!shape) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const field = fieldOf(shape, k);
      return [field ? camelCase(k) : k, toCamelKeys(field, v)];
    }),
  );
}

/**
 * Enum values as the catalogue spells them: Elasticsearch parses enums case-insensitively (`COSINE`, and Bedrock
 * echoes providers upper-case), so the model folds them the same way instead of reporting a perpetual difference.
 */
export function foldEnums(schema: z.ZodType | undefined, value: unknown): unknown {
  if (!hasEnum(schema)) return value; // most settings have none: no copy
  const s = unwrap(schema);
  if (s instanceof z.ZodEnum && typeof value === "string") {
    const options = s.options as string[];
    return options.includes(value) ? value : (options.find((o) => o.toLowerCase() === value.toLowerCase()) ?? value);
  }
  if (Array.isArray(value) && s instanceof z.ZodArray) return value.map((v) => foldEnums(s.element as z.ZodType, v));
  if (!isPlainObject(value)) return value;
  const shape = s instanceof z.ZodRecord ? undefined : shapeOf(s);
  if (!shape && !(s instanceof z.ZodRecord)) return value;
  // Copied only when a value changes: settings are rarely written in another case than the catalogue's.
  let folded: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const field = shape ? fieldOf(shape, key) : ((s as z.ZodRecord).valueType as z.ZodType);
    const v = foldEnums(field, value[key]);
    if (v !== value[key]) (folded ??= { ...value })[key] = v;
  }
  return folded ?? value;
}

const enums = new WeakMap<z.ZodType, boolean>();

/** Whether an enum is anywhere in the schema (cached per schema). */
function hasEnum(schema: z.ZodType | undefined): boolean {
  const s = unwrap(schema);
  if (!s) return false;
  let found = enums.get(s);
  if (found === undefined) {
    enums.set(s, false); // a recursive schema ends here
    found =
      s instanceof z.ZodEnum ||
      (s instanceof z.ZodArray && hasEnum(s.element as z.ZodType)) ||
      (s instanceof z.ZodRecord && hasEnum(s.valueType as z.ZodType)) ||
      Object.values(shapeOf(s) ?? {}).some((field) => hasEnum(field));
    enums.set(s, found);
  }
  return found;
}

/** What validation, canonicalization and secret handling ask of an object schema's fields, worked out once. */
export interface SettingsFacts {
  /** Secret fields, and whether each is a map of secrets (the custom service's `secret_parameters`). */
  readonly secrets: readonly { readonly key: string; readonly map: boolean }[];
  /** Fixed defaults the server stores for undeclared fields (`computed` ones excluded). */
  readonly defaults: readonly (readonly [string, unknown])[];
  /** Fields whose value the server computes when they are not declared (`serverDefault: "computed"`). */
  readonly computed: ReadonlySet<string>;
  /** First version accepting a field, for fields newer than their task type. */
  readonly since: ReadonlyMap<string, Since>;
  /** Deprecation notes of deprecated fields. */
  readonly deprecated: ReadonlyMap<string, string>;
}

const NO_FACTS: SettingsFacts = {
  secrets: [],
  defaults: [],
  computed: new Set(),
  since: new Map(),
  deprecated: new Map(),
};
const settingsFactsCache = new WeakMap<z.ZodType, SettingsFacts>();

/**
 * The field facts of an object schema (cached: the catalogue's schemas never change). Every endpoint of a plan asks
 * them several times, and walking the shape's fields each time cost more than the rest of the work.
 */
export function settingsFacts(schema: z.ZodType | undefined): SettingsFacts {
  const shape = shapeOf(schema);
  if (!shape) return NO_FACTS;
  let facts = settingsFactsCache.get(schema!);
  if (facts === undefined) {
    const secrets: { key: string; map: boolean }[] = [];
    const defaults: [string, unknown][] = [];
    const computed = new Set<string>();
    const since = new Map<string, Since>();
    const deprecated = new Map<string, string>();
    for (const [key, field] of Object.entries(shape)) {
      const info = infoOf(field);
      if (info.secret) secrets.push({ key, map: unwrap(field) instanceof z.ZodRecord });
      if (info.serverDefault === "computed") computed.add(key);
      else if (info.serverDefault !== undefined) defaults.push([key, info.serverDefault]);
      if (info.since) since.set(key, info.since);
      if (info.deprecated) deprecated.set(key, info.deprecated);
    }
    facts = { secrets, defaults, computed, since, deprecated };
    settingsFactsCache.set(schema!, facts);
  }
  return facts;
}

const PROTO = "__proto__";

/** Whether an own `__proto__` key is anywhere in a JSON value (what zod's record parsing drops). */
function hasProtoKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasProtoKey);
  if (!isPlainObject(value)) return false;
  return Object.hasOwn(value, PROTO) || Object.values(value).some(hasProtoKey);
}

/**
 * `parsed` (zod's output for `input`) with the `__proto__` keys of free-form maps put back. zod builds records by
 * assignment, which sets the prototype instead of adding the key: a header named `__proto__` would silently vanish
 * from what is sent and planned. Fixed-key objects need nothing (strict schemas report the key as unknown).
 */
export function keepProtoKeys(schema: z.ZodType | undefined, input: unknown, parsed: unknown): unknown {
  if (!hasProtoKey(input)) return parsed;
  const s = unwrap(schema);
  if (Array.isArray(input) && Array.isArray(parsed) && s instanceof z.ZodArray)
    return parsed.map((v, i) => keepProtoKeys(s.element as z.ZodType, input[i], v));
  if (!isPlainObject(input) || !isPlainObject(parsed)) return parsed;
  if (s instanceof z.ZodRecord) {
    const valueType = s.valueType as z.ZodType;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) {
      const v = Object.hasOwn(parsed, key) ? parsed[key] : valueType.parse(value);
      Object.defineProperty(out, key, {
        value: keepProtoKeys(valueType, value, v),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  const shape = shapeOf(s);
  if (!shape) return parsed;
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(parsed)) {
    const field = fieldOf(shape, key);
    const v = Object.hasOwn(input, key) ? keepProtoKeys(field, input[key], parsed[key]) : parsed[key];
    if (v !== parsed[key]) (out ??= { ...parsed })[key] = v;
  }
  return out ?? parsed;
}
