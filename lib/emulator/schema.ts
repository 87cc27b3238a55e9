/**
 * Reads the catalogue's zod schemas as the server's field list: for each `service_settings` / `task_settings` key,
 * its kind (what the server's `extract*` helper checks), whether it is required, secret, and since when it exists.
 * The catalogue describes declarations (secrets as `{env}` references); the server receives literal values, so
 * the emulator needs the field facts, not the schemas' own parsing.
 */
import type { z } from "zod";
import { getService, getTaskSpec, infoOf, type Since, type TaskSpec } from "../catalogue";

export type FieldKind =
  | { readonly kind: "string" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "int"; readonly min: 0 | 1 }
  | { readonly kind: "number" }
  | { readonly kind: "bool" }
  | { readonly kind: "stringList" }
  | { readonly kind: "stringMap" }
  | { readonly kind: "object"; readonly fields: readonly FieldSpec[] }
  | { readonly kind: "secret" }
  | { readonly kind: "secretMap" }
  | { readonly kind: "any" };

export interface FieldSpec {
  readonly name: string;
  readonly required: boolean;
  readonly secret: boolean;
  readonly type: FieldKind;
  /** First version accepting the field; undefined = as old as the task type. */
  readonly since?: Since;
  /** The catalogue's `serverDefault` fact (a value, or "computed"). */
  readonly serverDefault?: unknown;
}

type AnySchema = z.ZodType & { _zod: { def: Record<string, any> } };

function unwrap(schema: AnySchema): { inner: AnySchema; optional: boolean } {
  let inner = schema;
  let optional = false;
  while (inner._zod.def.type === "optional" || inner._zod.def.type === "default") {
    optional = true;
    inner = inner._zod.def.innerType as AnySchema;
  }
  return { inner, optional };
}

function kindOf(schema: AnySchema, secret: boolean): FieldKind {
  const def = schema._zod.def;
  switch (def.type) {
    case "string":
      return { kind: "string" };
    case "boolean":
      return { kind: "bool" };
    case "enum":
      return { kind: "enum", values: (schema as unknown as { options: string[] }).options };
    case "number":
      // Probe rather than read zod internals: integer fields reject 1.5; positive ones also reject 0.
      if (schema.safeParse(1.5).success) return { kind: "number" };
      return { kind: "int", min: schema.safeParse(0).success ? 0 : 1 };
    case "array": {
      const element = (def.element as AnySchema)._zod.def.type;
      return element === "string" ? { kind: "stringList" } : { kind: "any" };
    }
    case "record": {
      if (secret) return { kind: "secretMap" };
      const value = (def.valueType as AnySchema)._zod.def.type;
      return value === "string" ? { kind: "stringMap" } : { kind: "any" };
    }
    case "object":
      return { kind: "object", fields: fieldsOfShape(def.shape as Record<string, AnySchema>) };
    case "union":
      return secret ? { kind: "secret" } : { kind: "any" };
    default:
      return { kind: "any" };
  }
}

function fieldsOfShape(shape: Record<string, AnySchema>): FieldSpec[] {
  return Object.entries(shape).map(([name, schema]) => {
    const facts = infoOf(schema);
    const { inner, optional } = unwrap(schema);
    const secret = facts.secret === true;
    return {
      name,
      required: !optional,
      secret,
      type: kindOf(inner, secret),
      since: facts.since,
      serverDefault: secret ? undefined : facts.serverDefault,
    };
  });
}

export interface TaskFields {
  readonly spec: TaskSpec;
  readonly serviceSettings: readonly FieldSpec[];
  readonly taskSettings: readonly FieldSpec[];
}

// Keyed by the catalogue's own task specs (never by user-given names, so it cannot grow without bound).
const cache = new WeakMap<TaskSpec, TaskFields>();

/** The server's field list for a service and task type (undefined when the catalogue has no such pair). */
export function taskFields(service: string, taskType: string): TaskFields | undefined {
  const spec = getTaskSpec(service, taskType);
  if (!spec) return undefined;
  let result = cache.get(spec);
  if (!result) {
    result = {
      spec,
      serviceSettings: fieldsOfShape(spec.serviceSettings.shape as Record<string, AnySchema>),
      taskSettings: fieldsOfShape(spec.taskSettings.shape as Record<string, AnySchema>),
    };
    cache.set(spec, result);
  }
  return result;
}

/** Whether the catalogue knows the service at all (regardless of version). */
export const serviceExists = (service: string) => getService(service) !== undefined;
