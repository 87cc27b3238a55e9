/**
 * Endpoint declarations. TypeScript code declares endpoints in camelCase (`EndpointDeclaration`); files and
 * requests use Elasticsearch's snake_case request shape (`EndpointRequest`). Both types are derived from the
 * catalogue's zod schemas, discriminated by service and task type, so an editor offers exactly the settings of
 * `openai` + `text_embedding`, and rejects others at compile time.
 */
import type { z } from "zod";
import {
  getTaskSpec,
  type ChunkingSettings,
  type SecretRef,
  type ServiceName,
  type Services,
  type TaskSpec,
  type TaskType,
  type TaskTypeOf,
} from "../catalogue";
import type { DeclarationsByService, EndpointDeclaration } from "./generated/declarations";
import { toSnakeKeys, toCamelKeys, chunkingSchemaFor, isPlainObject, snakeCase } from "./schema-walk";

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** A settings type with camelCase keys; secret references and free-form maps are left as they are. */
export type Camelize<T> = T extends SecretRef
  ? T
  : T extends readonly unknown[]
    ? { [K in keyof T]: Camelize<T[K]> }
    : T extends object
      ? { [K in keyof T as K extends string ? CamelCase<K> : K]: Camelize<T[K]> }
      : T;

type SpecOf<S extends ServiceName, T extends TaskTypeOf<S>> = Services[S]["taskTypes"][T];
type SettingsIn<S extends ServiceName, T extends TaskTypeOf<S>> =
  SpecOf<S, T> extends TaskSpec<infer SS, infer TS, infer C>
    ? { service: z.input<SS>; task: z.input<TS>; chunking: C }
    : never;

type TaskSettingsProp<TS, Case extends "camel" | "snake", Key extends string> = [keyof TS] extends [never]
  ? { [K in Key]?: Record<string, never> }
  : {} extends TS
    ? { [K in Key]?: Case extends "camel" ? Camelize<TS> : TS }
    : { [K in Key]: Case extends "camel" ? Camelize<TS> : TS };

type ChunkingProp<C, Case extends "camel" | "snake", Key extends string> = C extends true
  ? { [K in Key]?: Case extends "camel" ? Camelize<ChunkingSettings> : ChunkingSettings }
  : { [K in Key]?: never };

/**
 * The declaration of one endpoint of service `S` and task type `T`, in camelCase: the interface generated from the
 * catalogue (`generated/declarations.ts`), whose every setting documents itself in an editor.
 */
export type EndpointDeclarationOf<
  S extends ServiceName,
  T extends TaskTypeOf<S>,
> = T extends keyof DeclarationsByService[S] ? DeclarationsByService[S][T] : never;

/** The same endpoint in Elasticsearch's request shape (snake_case), as written in JSON files and manifests. */
export type EndpointRequestOf<S extends ServiceName, T extends TaskTypeOf<S>> = {
  inference_id: string;
  service: S;
  task_type: T;
  service_settings: SettingsIn<S, T>["service"];
} & TaskSettingsProp<SettingsIn<S, T>["task"], "snake", "task_settings"> &
  ChunkingProp<SettingsIn<S, T>["chunking"], "snake", "chunking_settings">;

/** Any endpoint declaration (camelCase): generated from the catalogue, see `generated/declarations.ts`. */
export type { EndpointDeclaration };

/** Any endpoint in request shape (snake_case), discriminated by `service` then `task_type`. */
export type EndpointRequest = {
  [S in ServiceName]: { [T in TaskTypeOf<S>]: EndpointRequestOf<S, T> }[TaskTypeOf<S>];
}[ServiceName];

/** Request shape before validation: what a JSON file may contain. */
export interface RawEndpointRequest {
  inference_id?: unknown;
  task_type?: unknown;
  service?: unknown;
  service_settings?: unknown;
  task_settings?: unknown;
  chunking_settings?: unknown;
  [key: string]: unknown;
}

const TOP_LEVEL: ReadonlyMap<string, string> = new Map([
  ["inferenceId", "inference_id"],
  ["taskType", "task_type"],
  ["service", "service"],
  ["serviceSettings", "service_settings"],
  ["taskSettings", "task_settings"],
  ["chunkingSettings", "chunking_settings"],
]);

/**
 * Converts a camelCase declaration to request shape, renaming exactly the keys the catalogue knows (free-form
 * maps such as `headers` keep their keys). Unknown keys are renamed mechanically so validation can name them.
 */
export function declarationToRequest(declaration: unknown): RawEndpointRequest {
  if (!isPlainObject(declaration)) return declaration as RawEndpointRequest;
  const service = Object.hasOwn(declaration, "service") ? declaration.service : undefined;
  const taskType = Object.hasOwn(declaration, "taskType") ? declaration.taskType : undefined;
  const spec = typeof service === "string" && typeof taskType === "string" ? getTaskSpec(service, taskType) : undefined;
  // Built from entries: an unknown key such as `__proto__` stays a key, for validation to name.
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(declaration)) {
    if (value === undefined) continue;
    const wire = TOP_LEVEL.get(key) ?? snakeCase(key);
    switch (wire) {
      case "service_settings":
        entries.push([wire, toSnakeKeys(spec?.serviceSettings, value)]);
        break;
      case "task_settings":
        entries.push([wire, toSnakeKeys(spec?.taskSettings, value)]);
        break;
      case "chunking_settings":
        // The strategy picks the schema; `strategy` is spelled the same in both cases.
        entries.push([wire, toSnakeKeys(chunkingSchemaFor(value), value)]);
        break;
      default:
        entries.push([wire, value]);
    }
  }
  return Object.fromEntries(entries);
}

/** Converts request shape to a camelCase declaration (for generated TypeScript). */
export function requestToDeclaration(request: {
  inference_id: string;
  task_type: TaskType | string;
  service: string;
  service_settings: Record<string, unknown>;
  task_settings?: Record<string, unknown>;
  chunking_settings?: Record<string, unknown>;
}): Record<string, unknown> {
  const spec = getTaskSpec(request.service, request.task_type);
  const out: Record<string, unknown> = {
    inferenceId: request.inference_id,
    taskType: request.task_type,
    service: request.service,
    serviceSettings: toCamelKeys(spec?.serviceSettings, request.service_settings),
  };
  if (request.task_settings && Object.keys(request.task_settings).length > 0)
    out.taskSettings = toCamelKeys(spec?.taskSettings, request.task_settings);
  if (request.chunking_settings)
    out.chunkingSettings = toCamelKeys(chunkingSchemaFor(request.chunking_settings), request.chunking_settings);
  return out;
}
