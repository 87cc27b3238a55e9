/** zod's issues as esinfer's: the request-shape path, what is wrong in words, and what is allowed instead. */
import { z } from "zod";
import { infoOf } from "../../catalogue";
import { didYouMean } from "../suggest";
import { fieldOf, keepProtoKeys, shapeOf, unwrap } from "../schema-walk";
import { add, describeAllowed, kindOf, listOf, preview, referenceAdvice, type Context } from "./context";

export type Scope = "service_settings" | "task_settings" | "chunking_settings";

/** How an unknown key is reported (the caller knows where else it would be accepted). */
export type DescribeUnknown = (key: string, allowed: string[]) => { message: string; hint?: string; allowed?: string };

/** Messages for zod's built-in checks when a schema did not set its own. Values are added later, where safe. */
function zodMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "is required" : `must be ${article(issue.expected)}`;
    case "too_small":
      if (issue.origin === "string") return "must be a non-empty string";
      if (issue.origin === "array")
        return `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`;
      return `must be ${issue.inclusive ? "at least" : "greater than"} ${issue.minimum}`;
    case "too_big":
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
    case "invalid_value":
      // zod reports a missing enum field as an invalid value of `undefined`
      return issue.input === undefined ? "is required" : "is not an accepted value";
    case "invalid_union":
      return "has the wrong shape";
    default:
      return undefined;
  }
}

function article(expected: string): string {
  if (expected === "int") return "an integer";
  if (expected === "object" || expected === "array") return `an ${expected}`;
  if (expected === "tuple") return "a [key, value] pair";
  return `a ${expected}`;
}

/** The schema at a path inside an object schema (for allowed-key lists and secrecy); own keys only. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  for (const key of path) {
    const u = unwrap(s);
    if (u instanceof z.ZodObject) s = fieldOf(u.shape as Record<string, z.ZodType>, String(key));
    else if (u instanceof z.ZodRecord) s = u.valueType as z.ZodType;
    else if (u instanceof z.ZodArray) s = u.element as z.ZodType;
    else if (u instanceof z.ZodTuple) s = u.def.items[Number(key)] as z.ZodType | undefined;
    else return undefined;
  }
  return s;
}

function isSecretPath(root: z.ZodType, path: readonly PropertyKey[]): boolean {
  for (let i = 1; i <= path.length; i++) if (infoOf(schemaAt(root, path.slice(0, i))).secret) return true;
  return false;
}

/** Parses `value` with `schema`; on failure adds one issue per zod issue (under `scope`) and returns undefined. */
export function parseInto(
  ctx: Context,
  scope: Scope,
  schema: z.ZodType,
  value: unknown,
  describeUnknown: DescribeUnknown,
): unknown {
  const result = schema.safeParse(value, { reportInput: true, error: zodMessage });
  if (result.success) return keepProtoKeys(schema, value, result.data);
  for (const issue of result.error.issues) {
    const at = issue.path;
    const base = [scope, ...at.map(String)].join(".");
    if (issue.code === "unrecognized_keys") {
      const allowed = Object.keys(shapeOf(schemaAt(schema, at)) ?? {});
      for (const key of issue.keys) {
        const d = describeUnknown(at.length === 0 ? key : `${at.join(".")}.${key}`, allowed);
        add(ctx, `${base}.${key}`, d.message, {
          hint: d.hint ?? didYouMean(key, allowed),
          allowed: d.allowed ?? listOf(allowed),
        });
      }
      continue;
    }
    const secret = isSecretPath(schema, at);
    const input = (issue as { input?: unknown }).input;
    let message = issue.message;
    const extra: { allowed?: string; hint?: string } = {};
    if (issue.code === "invalid_value") {
      const values = issue.values.map(String);
      extra.allowed = listOf(values);
      if (!secret && typeof input === "string") extra.hint = didYouMean(input, values);
      if (!secret && input !== undefined) message += `: ${preview(input)}`;
    } else if (secret && input === undefined) {
      message = "is required";
      extra.allowed = `a secret reference: ${referenceAdvice(ctx, base)}`;
    } else if (secret && issue.code === "invalid_union") {
      message = "must be a secret reference";
      extra.allowed = referenceAdvice(ctx, base);
    } else if (issue.code === "invalid_type" && input !== undefined && !secret) {
      message += `, got ${kindOf(input)}`;
    } else if (issue.code === "invalid_type" && input === undefined) {
      const description = infoOf(schemaAt(schema, at)).description;
      if (description) message += ` (${description.charAt(0).toLowerCase()}${description.slice(1).replace(/\.$/, "")})`;
    } else if ((issue.code === "too_small" || issue.code === "too_big") && !secret && typeof input === "number") {
      message += `, got ${input}`;
    }
    // Custom checks (overlap at most half, exclusive keys) state their constraint; the field's type would mislead.
    if (extra.allowed === undefined && issue.code !== "custom") {
      // Say what is accepted, unless the message already says exactly that ("must be a positive integer, got -1").
      const allowed = describeAllowed(ctx, schemaAt(schema, at), base);
      if (allowed && !message.includes(allowed)) extra.allowed = allowed;
    }
    add(ctx, base, message, extra);
  }
  return undefined;
}
