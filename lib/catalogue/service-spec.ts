/**
 * The shape of a service's catalogue entry: which task types it supports, since when, and for each task type the
 * strict zod schemas of `service_settings` and `task_settings`, whether it takes `chunking_settings`, and the
 * cross-field rules Elasticsearch enforces.
 */
import { z } from "zod";
import type { TaskType } from "./task-types";
import type { Since } from "./version";

/** One broken cross-field rule, with the path relative to the request body (`service_settings.api_key`). */
export interface RuleIssue {
  readonly path: string;
  readonly message: string;
  readonly allowed?: string;
}

export interface RuleInput {
  readonly task_type: TaskType;
  readonly service_settings: Readonly<Record<string, unknown>>;
  readonly task_settings: Readonly<Record<string, unknown>>;
}

/** A constraint that spans fields, as the server enforces it. */
export interface Rule {
  /** What the rule requires, in one sentence (used in docs and messages). */
  readonly description: string;
  check(input: RuleInput): RuleIssue[];
}

export interface TaskSpec<
  SS extends z.ZodObject = z.ZodObject,
  TS extends z.ZodObject = z.ZodObject,
  C extends boolean = boolean,
> {
  /** First version supporting the task type for this service; absent = the service's own `since`. */
  readonly since?: Since;
  readonly serviceSettings: SS;
  readonly taskSettings: TS;
  /** Whether the endpoint takes `chunking_settings` (embedding task types of services that chunk). */
  readonly chunking: C;
  readonly rules: readonly Rule[];
  /** `service_settings` keys GET may return that a request cannot set (e.g. `dimensions_set_by_user`). */
  readonly readOnly: readonly string[];
  /** Accepted by the server although the specification leaves this task type out. */
  readonly serverOnly?: boolean;
}

export interface ServiceSpec<
  N extends string = string,
  T extends Partial<Record<TaskType, TaskSpec>> = Partial<Record<TaskType, TaskSpec>>,
> {
  /** The `service` value in requests. */
  readonly name: N;
  readonly displayName: string;
  /** First Elasticsearch version with the service. */
  readonly since: Since;
  readonly taskTypes: T;
  /** Present when Elasticsearch deprecated the service: what to use instead. */
  readonly deprecated?: string;
  /** Facts worth a line in the docs (spec and server disagreements, version notes). */
  readonly notes?: readonly string[];
}

export function defineService<
  const N extends string,
  const T extends Partial<Record<TaskType, TaskSpec<any, any, boolean>>>,
>(spec: ServiceSpec<N, T>): ServiceSpec<N, T> {
  return spec;
}

interface TaskOptions<SS extends z.ZodRawShape, TS extends z.ZodRawShape> {
  since?: Since;
  serviceSettings: SS;
  taskSettings?: TS;
  chunking?: boolean;
  rules?: readonly Rule[];
  readOnly?: readonly string[];
  serverOnly?: boolean;
}

/** A task type's entry: settings shapes become strict objects, as Elasticsearch rejects unknown keys. */
export function task<
  SS extends z.ZodRawShape,
  TS extends z.ZodRawShape = {},
  const C extends boolean | undefined = undefined,
>(
  options: TaskOptions<SS, TS> & { chunking?: C },
): TaskSpec<z.ZodObject<SS, z.core.$strict>, z.ZodObject<TS, z.core.$strict>, C extends true ? true : false> {
  return {
    since: options.since,
    serviceSettings: z.strictObject(options.serviceSettings),
    taskSettings: z.strictObject((options.taskSettings ?? {}) as TS),
    chunking: (options.chunking ?? false) as C extends true ? true : false,
    rules: options.rules ?? [],
    readOnly: options.readOnly ?? [],
    serverOnly: options.serverOnly,
  };
}

const present = (v: unknown) => v !== undefined && v !== null;
const list = (fields: readonly string[]) => fields.map((f) => `[${f}]`).join(", ");

/** Exactly one of the fields must be given (e.g. OpenAI's `api_key` or `client_secret`). */
export function exactlyOne(scope: "service_settings" | "task_settings", fields: readonly string[]): Rule {
  return {
    description: `exactly one of ${list(fields)} must be set in ${scope}`,
    check(input) {
      const set = fields.filter((f) => present(input[scope][f]));
      if (set.length === 1) return [];
      return [
        set.length === 0
          ? {
              path: scope,
              message: `one of ${list(fields)} is required`,
              allowed: `exactly one of ${fields.join(", ")}`,
            }
          : {
              path: scope,
              message: `only one of ${list(set)} may be set`,
              allowed: `exactly one of ${fields.join(", ")}`,
            },
      ];
    },
  };
}

/** The fields must be given together or not at all (e.g. the OAuth 2.0 client-credentials group). */
export function together(scope: "service_settings" | "task_settings", fields: readonly string[]): Rule {
  return {
    description: `${list(fields)} must be set together in ${scope}`,
    check(input) {
      const set = fields.filter((f) => present(input[scope][f]));
      if (set.length === 0 || set.length === fields.length) return [];
      const missing = fields.filter((f) => !set.includes(f));
      return missing.map((f) => ({
        path: `${scope}.${f}`,
        message: `is required when ${list(set)} ${set.length === 1 ? "is" : "are"} set`,
        allowed: `all of ${fields.join(", ")}, or none`,
      }));
    },
  };
}

/** A custom rule with its own check. */
export function rule(description: string, check: (input: RuleInput) => RuleIssue[]): Rule {
  return { description, check };
}
