/**
 * Lookups in the service catalogue by name. Names come from users (declarations, cluster responses): every lookup
 * is by own property, so `constructor` or `__proto__` is an unknown service or task type like any other.
 */
import { SERVICES } from "./services";
import type { ServiceSpec, TaskSpec } from "./service-spec";
import type { TaskType } from "./task-types";
import type { Since } from "./version";

export type Services = typeof SERVICES;
export type ServiceName = keyof Services;
export type TaskTypeOf<S extends ServiceName> = keyof Services[S]["taskTypes"] & TaskType;

export const SERVICE_NAMES = Object.keys(SERVICES).sort() as ServiceName[];

export function isServiceName(name: unknown): name is ServiceName {
  return typeof name === "string" && Object.hasOwn(SERVICES, name);
}

export function getService(name: string): ServiceSpec | undefined {
  return isServiceName(name) ? (SERVICES[name] as ServiceSpec) : undefined;
}

export function getTaskSpec(service: string, taskType: string): TaskSpec | undefined {
  const spec = getService(service);
  if (!spec || !Object.hasOwn(spec.taskTypes, taskType)) return undefined;
  return (spec.taskTypes as Partial<Record<string, TaskSpec>>)[taskType];
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
