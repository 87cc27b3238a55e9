/**
 * What every part of endpoint validation shares: the issues being collected for one endpoint, and how values and
 * schemas are described in messages (never a secret's value).
 */
import { z } from "zod";
import { infoOf } from "../../catalogue";
import type { ValidationIssue } from "../issues";
import { unwrap } from "../schema-walk";
import { escapeUnsafe } from "../text";

export interface ValidateOptions {
  /** Target Elasticsearch version: also checks that the service, task type, fields and chunking exist there. */
  readonly esVersion?: string;
  /**
   * `reject` (default): secrets must be references; a literal is an error that says how to reference it.
   * `accept`: a literal is accepted as in a request body, and held as a `LiteralSecret` that never prints.
   */
  readonly literalSecrets?: "accept" | "reject";
  /** How to name the endpoint in issues when its `inference_id` is missing or invalid. */
  readonly label?: string;
  /** Whether the input was written in TypeScript (messages then show `secret.env(...)` first). */
  readonly source?: "typescript" | "json";
}

/** The problems found so far in one endpoint. */
export interface Context {
  readonly endpoint: string;
  /** The declared service, once known: names the suggested environment variable (`OPENAI_API_KEY`). */
  service?: string;
  readonly options: ValidateOptions;
  readonly issues: ValidationIssue[];
  readonly warnings: ValidationIssue[];
}

export function add(ctx: Context, path: string, message: string, extra: { allowed?: string; hint?: string } = {}) {
  ctx.issues.push({ endpoint: ctx.endpoint, path, message, ...extra });
}

export const listOf = (values: readonly string[]) => values.join(", ");

/** A short, single-line preview of a non-secret value for messages, invisible characters escaped. */
export function preview(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return escapeUnsafe(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${preview(value)}`;
}

/** How to declare the secret at `path` by reference, in the declaration's own language. */
export function referenceAdvice(ctx: Context, path: string): string {
  const field = path.split(".").pop()!;
  const name = [ctx.service, field]
    .filter(Boolean)
    .join("_")
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, "_");
  const ts = `secret.env("${name}")`;
  const json = `{"env": "${name}"} or {"file": "/path/to/${name.toLowerCase()}"}`;
  return ctx.options.source === "typescript" ? `${ts} (or secret.file(path))` : `${json}`;
}

/** What a field accepts, in words, from its schema (for the "allowed" part of an issue). */
export function describeAllowed(ctx: Context, schema: z.ZodType | undefined, path: string): string | undefined {
  return describeSchema(schema, () => `a secret reference: ${referenceAdvice(ctx, path)}`);
}

/** What a schema accepts, in words (validation messages and generated docs); `secret` words a secret field. */
export function describeSchema(schema: z.ZodType | undefined, secret: () => string): string | undefined {
  if (infoOf(schema).secret) return secret();
  const s = unwrap(schema);
  if (s instanceof z.ZodEnum) return listOf((s.options as readonly unknown[]).map(String));
  if (s instanceof z.ZodString) return s.safeParse("").success ? "a string" : "a non-empty string";
  if (s instanceof z.ZodBoolean) return "true or false";
  if (s instanceof z.ZodNumber) return describeNumber(s);
  if (s instanceof z.ZodObject) {
    const keys = Object.keys(s.shape as object);
    return keys.length ? `an object with ${listOf(keys)}` : "an empty object";
  }
  if (s instanceof z.ZodRecord) return "an object of name/value pairs";
  if (s instanceof z.ZodArray)
    return unwrap(s.element as z.ZodType) instanceof z.ZodTuple ? "a list of [name, value] pairs" : "a list of strings";
  if (s instanceof z.ZodUnion) {
    const literals = (s.options as z.ZodType[]).map((o) => (o instanceof z.ZodLiteral ? o.value : undefined));
    if (literals.every((v) => v !== undefined)) return literals.map(String).join(" or ");
  }
  return undefined;
}

function describeNumber(s: z.ZodNumber): string {
  const min = s.minValue ?? -Infinity;
  const max = s.maxValue !== null && s.maxValue < Number.MAX_SAFE_INTEGER ? s.maxValue : undefined;
  if (!s.isInt) return max !== undefined ? `a number from ${min.toFixed(1)} to ${max.toFixed(1)}` : "a number";
  if (max !== undefined) return `an integer from ${min} to ${max}`;
  if (min === 0) return s.safeParse(0).success ? "an integer of 0 or more" : "a positive integer";
  return min > 0 ? `an integer of at least ${min}` : "an integer";
}
