/**
 * Building blocks for the service catalogue: each settings field is a zod schema (so declaration types are
 * derived from it) carrying catalogue facts in the `fieldInfo` registry (so validation, the plan engine and the
 * emulator read the same facts).
 */
import { z } from "zod";
import type { Since } from "./version";

/** Facts about one settings field that zod's type does not carry. */
export interface FieldInfo {
  /** Stored as a secret setting: write-only, never returned by GET, declared as a reference. */
  readonly secret?: boolean;
  /**
   * What Elasticsearch does when the field is not declared:
   * - `"computed"`: fills in a value it works out itself (dimensions from the validation call, similarity per
   *   model, deployment ids); the plan ignores the live value unless the field is declared.
   * - any other value: the fixed default it stores, made explicit in the canonical form.
   */
  readonly serverDefault?: unknown;
  /** First version that accepts the field; absent = as old as the task type. */
  readonly since?: Since;
  /** Accepted by the server although the specification leaves it out. */
  readonly serverOnly?: boolean;
  /** Accepted but scheduled for removal: say what to use instead. */
  readonly deprecated?: string;
  /** One line for error messages and generated docs. */
  readonly description?: string;
}

export const fieldInfo = z.registry<FieldInfo>();

/** Registers facts on a schema and returns it unchanged (typed). */
function info<T extends z.ZodType>(schema: T, facts?: FieldInfo): T {
  if (facts) fieldInfo.add(schema, facts);
  return schema;
}

const factsCache = new WeakMap<z.ZodType, FieldInfo>();

/** The facts for a (possibly optional) field schema. Cached: the catalogue's schemas never change. */
export function infoOf(schema: z.ZodType | undefined): FieldInfo {
  if (!schema) return {};
  let facts = factsCache.get(schema);
  if (facts === undefined) {
    facts = {};
    for (
      let s: z.ZodType | undefined = schema;
      s;
      s = s instanceof z.ZodOptional ? (s.unwrap() as z.ZodType) : undefined
    ) {
      const found = fieldInfo.get(s);
      if (found) {
        facts = found;
        break;
      }
    }
    factsCache.set(schema, facts);
  }
  return facts;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A secret declared by reference. Its JSON encoding is `{"env": "NAME"}` or `{"file": "PATH"}`. */
export const EnvSecretRefSchema = z.strictObject({
  env: z
    .string()
    .regex(ENV_NAME, "must be an environment variable name (letters, digits and _; not starting with a digit)"),
});
export const FileSecretRefSchema = z.strictObject({ file: z.string().min(1, "must be a non-empty file path") });
export const SecretRefSchema = z.union([EnvSecretRefSchema, FileSecretRefSchema]);
export type EnvSecretRef = z.infer<typeof EnvSecretRefSchema>;
export type FileSecretRef = z.infer<typeof FileSecretRefSchema>;
export type SecretRef = z.infer<typeof SecretRefSchema>;

/**
 * Whether a value is a valid secret reference: what `SecretRefSchema` accepts, checked by hand because the plan asks
 * it of every setting of every endpoint, where a schema parse per value costs more than the rest of the check.
 */
export function isSecretRef(value: unknown): value is SecretRef {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const v = (value as Record<string, unknown>)[keys[0]!];
  if (keys[0] === "env") return typeof v === "string" && ENV_NAME.test(v);
  return keys[0] === "file" && typeof v === "string" && v.length > 0;
}

export const SIMILARITIES = ["cosine", "dot_product", "l2_norm"] as const;

/** Field constructors. Everything Elasticsearch parses as a string rejects the empty string. */
export const field = {
  text: (facts?: FieldInfo) => info(z.string().min(1, "must be a non-empty string"), facts),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T, facts?: FieldInfo) => info(z.enum(values), facts),
  /** Elasticsearch's `extractOptionalPositiveInteger`. */
  positiveInt: (facts?: FieldInfo) =>
    info(z.number().int("must be an integer").positive("must be a positive integer"), facts),
  nonNegativeInt: (facts?: FieldInfo) =>
    info(z.number().int("must be an integer").nonnegative("must be zero or more"), facts),
  number: (facts?: FieldInfo) => info(z.number(), facts),
  /** A number from `min` to `max`, both included (documented ranges such as Azure AI Studio's temperature). */
  numberInRange: (min: number, max: number, facts?: FieldInfo) =>
    info(
      z
        .number()
        .min(min, `must be between ${min.toFixed(1)} and ${max.toFixed(1)}`)
        .max(max, `must be between ${min.toFixed(1)} and ${max.toFixed(1)}`),
      facts,
    ),
  bool: (facts?: FieldInfo) => info(z.boolean(), facts),
  stringList: (facts?: FieldInfo) => info(z.array(z.string().min(1, "must be a non-empty string")), facts),
  /** Free-form string map (HTTP headers and the like): keys are passed through as written. */
  stringMap: (facts?: FieldInfo) => info(z.record(z.string(), z.string()), facts),
  // A fresh union per field: facts are registered per schema object, and a shared schema would make every secret
  // field report the facts (since, serverOnly, description) of whichever secret field was declared last.
  secret: (facts?: FieldInfo) => info(z.union([EnvSecretRefSchema, FileSecretRefSchema]), { ...facts, secret: true }),
  /** A map whose every value is a secret (the custom service's `secret_parameters`). */
  secretMap: (facts?: FieldInfo) => info(z.record(z.string(), SecretRefSchema), { ...facts, secret: true }),
  similarity: (facts?: FieldInfo) => info(z.enum(SIMILARITIES), { serverDefault: "computed", ...facts }),
  /** `rate_limit`, with the service's default requests per minute for this task type (if it has one). */
  rateLimit: (defaultRpm?: number) =>
    info(
      z.strictObject({ requests_per_minute: field.positiveInt().optional() }),
      defaultRpm === undefined
        ? { description: "client-side rate limit for requests to the provider" }
        : {
            serverDefault: { requests_per_minute: defaultRpm },
            description: `defaults to ${defaultRpm} requests per minute`,
          },
    ),
  object: <S extends z.ZodRawShape>(shape: S, facts?: FieldInfo) => info(z.strictObject(shape), facts),
};

/** Shared shapes. */
export const adaptiveAllocations = (facts?: FieldInfo) =>
  field.object(
    {
      enabled: field.bool().optional(),
      min_number_of_allocations: field.nonNegativeInt().optional(),
      max_number_of_allocations: field.positiveInt().optional(),
    },
    facts,
  );
