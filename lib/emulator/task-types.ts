/**
 * `TaskType.fromStringOrStatusException` as the server applies it to path segments and body values: trimmed,
 * case-insensitive, `any` allowed (it means "not given"), and only the task types the emulated version knows.
 */
import { isTaskType, taskTypeExists, type TaskType } from "../catalogue";
import { classCast, msg, statusException } from "./errors";
import type { Behavior } from "./versions";

export type TaskTypeOrAny = TaskType | "any";

/** Parses a task type as the server does; unknown (or not yet existing) → 400 `Unknown task_type [raw]`. */
export function parseTaskType(raw: string, behavior: Behavior): TaskTypeOrAny {
  const name = raw.trim().toLowerCase();
  if (name === "any") return "any";
  if (isTaskType(name) && taskTypeExists(name, behavior.version)) return name;
  throw statusException(msg.unknownTaskType(raw));
}

/**
 * `ServiceUtils.resolveTaskType`: the path task type (`any` when absent) and the body's `task_type` must agree.
 * A non-string body value makes the server's `(String)` cast fail with a 500.
 */
export function resolveTaskType(urlTaskType: TaskTypeOrAny, bodyTaskType: unknown, behavior: Behavior): TaskType {
  if (bodyTaskType === undefined || bodyTaskType === null) {
    if (urlTaskType === "any") throw statusException(msg.missingTaskType());
    return urlTaskType;
  }
  if (typeof bodyTaskType !== "string") throw classCast(bodyTaskType, "String");
  const parsed = parseTaskType(bodyTaskType, behavior);
  if (parsed === "any") throw statusException(msg.anyTaskType());
  if (urlTaskType !== "any" && parsed !== urlTaskType)
    throw statusException(msg.conflictingTaskType(urlTaskType, bodyTaskType));
  return parsed;
}
