/**
 * Questions about the registry (`behaviors.ts`) at a given Elasticsearch version: whether a behavior is on, its
 * value, which service settings `_update` applies, since when. Callers never compare versions themselves.
 */
import { BEHAVIORS, TASK_TYPE_SINCE, UPDATABLE_SERVICE_SETTINGS, type BehaviorName } from "./behaviors";
import { getTaskSpec } from "./lookup";
import { compareVersions, formatSince, isAtLeast, parseVersion, type Since, type Version } from "./version";
import type { TaskType } from "./task-types";

/** Whether `version` has the registry's behavior `name`. */
export function hasBehavior(name: BehaviorName, version: string | Version): boolean {
  const entry: { since: Since; until?: Since; backports?: Readonly<Record<string, string>> } = BEHAVIORS[name];
  const v = typeof version === "string" ? parseVersion(version) : version;
  const backport = entry.backports?.[`${v.major}.${v.minor}`];
  const on = backport !== undefined ? compareVersions(v, backport) >= 0 : isAtLeast(v, entry.since);
  return on && (entry.until === undefined || !isAtLeast(v, entry.until));
}

/** The behavior's value at `version` (its `value` while on), else undefined. */
export function behaviorValue<N extends BehaviorName>(
  name: N,
  version: string | Version,
): (typeof BEHAVIORS)[N] extends { value: infer V } ? V | undefined : undefined {
  const entry = BEHAVIORS[name] as { value?: unknown };
  return (hasBehavior(name, version) ? entry.value : undefined) as never;
}

/** `since` of a behavior, as a person reads it ("8.19.0 (8.x) / 9.1.0"). */
export function behaviorSince(name: BehaviorName): string {
  return formatSince(BEHAVIORS[name].since);
}

/** Whether the version knows the task type at all (before any service's `since`). */
export function taskTypeExists(taskType: TaskType, version: string | Version): boolean {
  return isAtLeast(version, TASK_TYPE_SINCE[taskType].since);
}

function entriesFor(service: string, taskType: string) {
  const spec = getTaskSpec(service, taskType);
  const shape = spec ? (spec.serviceSettings.shape as Record<string, unknown>) : {};
  return UPDATABLE_SERVICE_SETTINGS.filter(
    (e) => e.services.includes(service) && (e.taskTypes === undefined || (e.taskTypes as string[]).includes(taskType)),
  ).map((e) => ({ ...e, fields: e.fields.filter((f) => Object.hasOwn(shape, f)) }));
}

/** The non-secret `service_settings` keys `_update` applies for this service and task type at `version`. */
export function updatableServiceSettings(service: string, taskType: string, version: string | Version): Set<string> {
  const fields = new Set<string>();
  for (const e of entriesFor(service, taskType))
    if (isAtLeast(version, e.since)) for (const f of e.fields) fields.add(f);
  return fields;
}

/** First version whose `_update` applies the service setting, or undefined when no version does. */
export function updatableSince(service: string, taskType: string, field: string): Since | undefined {
  return entriesFor(service, taskType).find((e) => e.fields.includes(field))?.since;
}

/** The upstream reference for the rule that makes the field updatable, when there is one. */
export function updatableReference(service: string, taskType: string, field: string): string | undefined {
  return entriesFor(service, taskType).find((e) => e.fields.includes(field))?.reference;
}
