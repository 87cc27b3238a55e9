/**
 * Server-style parsing of one settings scope (`service_settings`, `task_settings`, `secret_settings`): the checks of
 * ServiceUtils' `extract*` helpers, in field order, collecting the messages one `ValidationException` would hold.
 * Keys the parser understood are "consumed" (the server removes them from the map); whatever is left is reported
 * by the caller as unknown settings.
 */
import { msg, statusException } from "./errors";
import { isJavaInt, javaMapToString } from "./java";
import { isPlainObject } from "./json";
import type { FieldSpec } from "./schema";
import type { Behavior } from "./versions";

export interface ScopeOptions {
  /** Scope name in messages: `service_settings`, `task_settings`, `secret_settings`, or a nested field name. */
  readonly scope: string;
  readonly behavior: Behavior;
  readonly service: string;
  /** Report missing required fields (off when merging an update). */
  readonly requireRequired: boolean;
}

export interface ScopeResult {
  /** Canonical values of the fields that parsed, in request order. */
  readonly values: Record<string, unknown>;
  readonly errors: string[];
  /** Keys the parser removed from the map (parsed or rejected). */
  readonly consumed: Set<string>;
}

/** Enum fields the server echoes upper-case (Java enum `toString`), whatever case the request used. */
const UPPER_CASE_ENUMS: ReadonlySet<string> = new Set(["amazonbedrock.provider"]);

const isJavaLong = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/** Fields of `fields` the emulated version accepts. */
export function availableFields(fields: readonly FieldSpec[], behavior: Behavior): FieldSpec[] {
  return fields.filter((f) => f.since === undefined || behavior.at(f.since));
}

/**
 * Parses the given fields out of `input`. Throws (like the server, without the collected errors) only for the
 * nested maps whose parser throws at once: unknown keys inside `rate_limit` or another nested object.
 */
export function parseScope(
  input: Readonly<Record<string, unknown>>,
  fields: readonly FieldSpec[],
  options: ScopeOptions,
): ScopeResult {
  const errors: string[] = [];
  const consumed = new Set<string>();
  const parsed = new Map<string, unknown>();
  for (const field of availableFields(fields, options.behavior)) {
    const has = Object.prototype.hasOwnProperty.call(input, field.name);
    if (has) consumed.add(field.name);
    const raw = has ? input[field.name] : undefined;
    if (raw === undefined || raw === null) {
      if (field.required && options.requireRequired) errors.push(msg.missingSetting(options.scope, field.name));
      continue;
    }
    const outcome = parseValue(raw, field, options, errors);
    if (outcome.abort) break;
    if (outcome.ok) parsed.set(field.name, outcome.value);
  }
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(input)) if (parsed.has(key)) values[key] = parsed.get(key);
  return { values, errors, consumed };
}

type Outcome = { ok: true; value: unknown; abort?: false } | { ok: false; abort?: boolean };

function parseValue(raw: unknown, field: FieldSpec, options: ScopeOptions, errors: string[]): Outcome {
  const { scope } = options;
  const name = field.name;
  const t = field.type;
  switch (t.kind) {
    case "string":
    case "secret":
      if (typeof raw !== "string") return fail(errors, msg.invalidType(name, raw, "String"));
      if (raw === "") return fail(errors, msg.emptyString(scope, name));
      return { ok: true, value: raw };
    case "enum": {
      if (typeof raw !== "string") return fail(errors, msg.invalidType(name, raw, "String"));
      if (raw === "") return fail(errors, msg.emptyString(scope, name));
      // Java enums parse with valueOf(trim().toUpperCase()): matching is case-insensitive.
      const match = t.values.find((v) => v.toLowerCase() === raw.trim().toLowerCase());
      if (match === undefined) return fail(errors, msg.invalidEnum(scope, name, raw, t.values));
      return {
        ok: true,
        value: UPPER_CASE_ENUMS.has(`${options.service}.${name}`) ? match.toUpperCase() : match,
      };
    }
    case "int":
      if (!isJavaInt(raw)) return fail(errors, msg.invalidType(name, raw, "Integer"));
      if (t.min === 1 && raw <= 0) return fail(errors, msg.notPositiveInt(scope, name, raw));
      if (t.min === 0 && raw < 0)
        return fail(errors, `[${scope}] Invalid value [${raw}]. [${name}] must be a non-negative integer`);
      return { ok: true, value: raw };
    case "number":
      if (typeof raw !== "number") return fail(errors, msg.invalidType(name, raw, "Double"));
      return { ok: true, value: raw };
    case "bool":
      if (typeof raw !== "boolean") return fail(errors, msg.invalidType(name, raw, "Boolean"));
      return { ok: true, value: raw };
    case "stringList": {
      if (!Array.isArray(raw)) return fail(errors, msg.invalidType(name, raw, "List"));
      const bad = raw.filter((e) => typeof e !== "string");
      if (bad.length > 0) {
        for (const b of bad) errors.push(msg.invalidType(name, b, "String"));
        return { ok: false };
      }
      return { ok: true, value: [...raw] };
    }
    case "stringMap": {
      if (!isPlainObject(raw)) return fail(errors, msg.invalidType(name, raw, "Map"));
      for (const [k, v] of Object.entries(raw))
        if (typeof v !== "string") {
          // validateMapValues throws at once, with whatever was collected so far.
          errors.push(msg.mapEntryNotString(name, k, v));
          return { ok: false, abort: true };
        }
      return { ok: true, value: { ...raw } };
    }
    case "secretMap": {
      if (!isPlainObject(raw)) return fail(errors, msg.invalidType(name, raw, "Map"));
      if (Object.keys(raw).length === 0) return fail(errors, msg.emptyMap(scope, name));
      for (const v of Object.values(raw))
        if (typeof v !== "string") {
          errors.push(msg.mapEntryNotStringCensored(name));
          return { ok: false, abort: true };
        }
      return { ok: true, value: { ...raw } };
    }
    case "object":
      if (!isPlainObject(raw)) return fail(errors, msg.invalidType(name, raw, "Map"));
      if (name === "rate_limit") return parseRateLimit(raw, options, errors);
      if (name === "adaptive_allocations") return parseAdaptiveAllocations(raw, errors);
      return parseNested(raw, name, t.fields, options, errors);
    case "any":
      return { ok: true, value: raw };
  }
}

function fail(errors: string[], message: string): Outcome {
  errors.push(message);
  return { ok: false };
}

/** RateLimitSettings.of: `requests_per_minute` is an optional positive long; other keys throw at once. */
function parseRateLimit(raw: Record<string, unknown>, options: ScopeOptions, errors: string[]): Outcome {
  const rest = new Map(Object.entries(raw));
  const rpm = rest.get("requests_per_minute");
  rest.delete("requests_per_minute");
  let ok = true;
  if (rpm !== undefined && rpm !== null) {
    if (!isJavaLong(rpm)) {
      errors.push(msg.invalidTypes("requests_per_minute", rpm, ["Integer", "Long"]));
      ok = false;
    } else if (rpm <= 0) {
      errors.push(msg.notPositiveLong("rate_limit", "requests_per_minute", rpm));
      ok = false;
    }
  }
  if (rest.size > 0) {
    const leftover = Object.fromEntries(rest);
    if (!options.behavior.has("settings.rate_limit_unknown_entries"))
      throw statusException(msg.unknownSettings(options.behavior, leftover, Object.keys(raw).length, options.service));
    // RateLimitSettings.of: a validation error among the others (the map printed as the server's HashMap).
    errors.push(`Rate limit settings contain unknown entries [${javaMapToString(leftover, Object.keys(raw).length)}]`);
    return { ok: false };
  }
  return ok
    ? { ok: true, value: rpm === undefined || rpm === null ? {} : { requests_per_minute: rpm } }
    : { ok: false };
}

/** removeAsAdaptiveAllocationsSettings and AdaptiveAllocationsSettings.validate. */
function parseAdaptiveAllocations(raw: Record<string, unknown>, errors: string[]): Outcome {
  const before = errors.length;
  const value: Record<string, unknown> = {};
  const enabled = raw.enabled;
  const min = raw.min_number_of_allocations;
  const max = raw.max_number_of_allocations;
  if (enabled !== undefined && enabled !== null) {
    if (typeof enabled !== "boolean") errors.push(msg.invalidType("enabled", enabled, "Boolean"));
    else value.enabled = enabled;
  }
  if (min !== undefined && min !== null) {
    if (!isJavaInt(min)) errors.push(msg.invalidType("min_number_of_allocations", min, "Integer"));
    else value.min_number_of_allocations = min;
  }
  if (max !== undefined && max !== null) {
    if (!isJavaInt(max)) errors.push(msg.invalidType("max_number_of_allocations", max, "Integer"));
    else value.max_number_of_allocations = max;
  }
  for (const key of Object.keys(raw))
    if (!["enabled", "min_number_of_allocations", "max_number_of_allocations"].includes(key))
      errors.push(msg.notAllowedSetting("adaptive_allocations", key));
  const vMin = value.min_number_of_allocations as number | undefined;
  const vMax = value.max_number_of_allocations as number | undefined;
  if (vMin !== undefined && vMin < 0) errors.push(msg.adaptiveMinNegative());
  if (vMax !== undefined && vMax < 1) errors.push(msg.adaptiveMaxNotPositive());
  if (vMin !== undefined && vMax !== undefined && vMin > vMax) errors.push(msg.adaptiveMinAboveMax());
  return errors.length > before ? { ok: false } : { ok: true, value };
}

function parseNested(
  raw: Record<string, unknown>,
  name: string,
  fields: readonly FieldSpec[],
  options: ScopeOptions,
  errors: string[],
): Outcome {
  const inner = parseScope(raw, fields, { ...options, scope: name });
  errors.push(...inner.errors);
  const leftover = Object.fromEntries(Object.entries(raw).filter(([k]) => !inner.consumed.has(k)));
  if (Object.keys(leftover).length > 0)
    throw statusException(msg.unknownSettings(options.behavior, leftover, Object.keys(raw).length, options.service));
  return inner.errors.length > 0 ? { ok: false } : { ok: true, value: inner.values };
}

/** Throws the server's unknown-settings error when `leftover` is not empty. */
export function throwIfUnknown(
  leftover: Readonly<Record<string, unknown>>,
  originalSize: number,
  behavior: Behavior,
  service: string,
): void {
  if (Object.keys(leftover).length > 0)
    throw statusException(msg.unknownSettings(behavior, { ...leftover }, originalSize, service));
}

/** Keys of `input` not in `consumed`, as a map. */
export function leftoverOf(input: Readonly<Record<string, unknown>>, consumed: ReadonlySet<string>) {
  return Object.fromEntries(Object.entries(input).filter(([k]) => !consumed.has(k)));
}
