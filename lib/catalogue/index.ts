/**
 * The catalogue: facts about every Elasticsearch inference service and task type, for validation, planning and
 * emulation.
 */
import { SERVICES } from "./services";
import type { ServiceSpec, TaskSpec } from "./service-spec";
import type { TaskType } from "./task-types";
import type { Since } from "./version";

export { SERVICES };
export * from "./task-types";
export * from "./version";
export * from "./fields";
export * from "./service-spec";
export * from "./chunking";
export * from "./inference-id";
export { BEDROCK_PROVIDER_TASKS, AZURE_AI_STUDIO_PROVIDER_TASKS, CUSTOM_JSON_PARSER_KEYS } from "./rules";

export type Services = typeof SERVICES;
export type ServiceName = keyof Services;
export type TaskTypeOf<S extends ServiceName> = keyof Services[S]["taskTypes"] & TaskType;

export const SERVICE_NAMES = Object.keys(SERVICES).sort() as ServiceName[];

export function isServiceName(name: unknown): name is ServiceName {
  return typeof name === "string" && Object.prototype.hasOwnProperty.call(SERVICES, name);
}

export function getService(name: string): ServiceSpec | undefined {
  return isServiceName(name) ? (SERVICES[name] as ServiceSpec) : undefined;
}

export function getTaskSpec(service: string, taskType: string): TaskSpec | undefined {
  const spec = getService(service);
  return spec ? (spec.taskTypes as Partial<Record<string, TaskSpec>>)[taskType] : undefined;
}

/** Task types a service supports, in catalogue order. */
export function taskTypesOf(service: string): TaskType[] {
  const spec = getService(service);
  return spec ? (Object.keys(spec.taskTypes) as TaskType[]) : [];
}

/** First version with this service and task type. */
export function taskSince(service: string, taskType: string): Since | undefined {
  const spec = getService(service);
  const t = getTaskSpec(service, taskType);
  return spec && t ? (t.since ?? spec.since) : undefined;
}
