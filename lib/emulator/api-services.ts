/**
 * `GET /_inference/_services[/{task_type}]` (RestGetInferenceServicesAction): the services this version has, each
 * with its task types and the configuration of its settings as `InferenceServiceConfiguration` renders it:
 * `{service, name, task_types, configurations: {field: {description, label, required, sensitive, updatable, type,
 * supported_task_types}}}`. Built from the catalogue: which fields exist, are required, secret, and (from the
 * registry) updatable at this version. Labels are the emulator's wording (title case of the field name).
 *
 * Left out, as the server leaves them out: the deprecated `elser` alias (hidden), `custom` (#130739 removed it from
 * this API) and `elastic` (listed only where the Elastic Inference Service authorizes it; the emulator has none).
 */
import {
  getService,
  getTaskSpec,
  infoOf,
  isTaskType,
  SERVICE_NAMES,
  taskSince,
  taskTypeExists,
  taskTypesOf,
  updatableServiceSettings,
  type TaskType,
} from "../catalogue";
import type { EsResponse, HandlerContext, Route } from "./http-types";
import { ok } from "./http-types";
import { taskFields, type FieldKind, type FieldSpec } from "./schema";
import { availableFields } from "./settings-parse";
import { parseTaskType } from "./task-types";
import { secretFieldsFor } from "./validate-put";
import type { Behavior } from "./versions";

const NOT_LISTED: readonly string[] = ["elser", "custom", "elastic"];

const ACRONYMS = new Map([
  ["api", "API"],
  ["id", "ID"],
  ["url", "URL"],
  ["json", "JSON"],
]);

function label(name: string): string {
  return name
    .split(/[_.]/)
    .map((w) => ACRONYMS.get(w) ?? `${w.charAt(0).toUpperCase()}${w.slice(1)}`)
    .join(" ");
}

/** `SettingsConfigurationFieldType` of a field kind. */
function typeOf(kind: FieldKind): string {
  switch (kind.kind) {
    case "int":
      return "int";
    case "number":
      return "str";
    case "bool":
      return "bool";
    case "stringList":
      return "list";
    case "stringMap":
    case "object":
    case "secretMap":
      return "map";
    default:
      return "str";
  }
}

/** The task types of a service this version has. */
function taskTypesAt(service: string, behavior: Behavior): TaskType[] {
  return taskTypesOf(service).filter((t) => taskTypeExists(t, behavior.version) && behavior.at(taskSince(service, t)!));
}

interface Setting {
  description: string;
  label: string;
  required: boolean;
  sensitive: boolean;
  updatable: boolean;
  type: string;
  supported_task_types: TaskType[];
}

/** The service's `InferenceServiceConfiguration` at this version. */
function serviceConfiguration(service: string, behavior: Behavior): Record<string, unknown> {
  const taskTypes = taskTypesAt(service, behavior);
  const settings = new Map<string, Setting>();
  for (const taskType of taskTypes) {
    const all = taskFields(service, taskType)!;
    // Secrets as the create parses them (OpenAI's api_key is required while it has no OAuth alternative).
    const secrets = new Map(secretFieldsFor(service, all, behavior, true).map((f) => [f.name, f]));
    const fields = availableFields(all.serviceSettings, behavior).map((f) => secrets.get(f.name) ?? f);
    const updatable = updatableServiceSettings(service, taskType, behavior.version);
    const shape = getTaskSpec(service, taskType)!.serviceSettings.shape as Record<string, never>;
    for (const field of fields) {
      const key = field.name === "rate_limit" ? "rate_limit.requests_per_minute" : field.name;
      const entry = settings.get(key) ?? newSetting(field, shape[field.name], key);
      entry.required ||= field.required;
      entry.updatable ||= field.secret || updatable.has(field.name);
      entry.supported_task_types.push(taskType);
      settings.set(key, entry);
    }
  }
  return {
    service,
    name: getService(service)!.displayName,
    task_types: taskTypes,
    configurations: Object.fromEntries([...settings.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

function newSetting(field: FieldSpec, schema: never, key: string): Setting {
  return {
    description: infoOf(schema).description ?? "",
    label: label(key === "rate_limit.requests_per_minute" ? "rate_limit" : key),
    required: false,
    sensitive: field.secret,
    updatable: false,
    type: key === "rate_limit.requests_per_minute" ? "int" : typeOf(field.type),
    supported_task_types: [],
  };
}

function listServices(ctx: HandlerContext, taskType?: string): EsResponse {
  const wanted = taskType === undefined ? undefined : parseTaskType(taskType, ctx.behavior);
  const services = SERVICE_NAMES.filter((s) => !NOT_LISTED.includes(s) && ctx.behavior.at(getService(s)!.since))
    .filter((s) => {
      const types = taskTypesAt(s, ctx.behavior);
      return types.length > 0 && (wanted === undefined || (isTaskType(wanted) && types.includes(wanted)));
    })
    .map((s) => serviceConfiguration(s, ctx.behavior));
  return ok(services);
}

export const SERVICES_ROUTES: readonly Route<any>[] = [
  { method: "GET", pattern: ["_inference", "_services"], run: (ctx) => listServices(ctx) },
  {
    method: "GET",
    pattern: ["_inference", "_services", "{taskType}"],
    run: (ctx) => listServices(ctx, ctx.params.taskType!),
  },
];
