import { z } from "zod";
import { TASK_TYPE_SINCE } from "./behaviors";

/** Task types a declared endpoint can have (`any` is internal to Elasticsearch and never declared). */
export const TASK_TYPES = [
  "text_embedding",
  "sparse_embedding",
  "rerank",
  "completion",
  "chat_completion",
  "embedding",
] as const;

export const TaskTypeSchema = z.enum(TASK_TYPES);
export type TaskType = z.infer<typeof TaskTypeSchema>;

/** Task types whose endpoints split their input into chunks (and so take `chunking_settings`). */
export const EMBEDDING_TASK_TYPES: readonly TaskType[] = ["text_embedding", "sparse_embedding", "embedding"];

/**
 * `chat_completion` arrived with the unified chat completion API in 8.18/9.0 (the registry's `TASK_TYPE_SINCE`).
 * Services older than that got it at 8.18 at the earliest; where no later release is recorded, a service file uses
 * this lower bound.
 */
export const CHAT_COMPLETION_SINCE = TASK_TYPE_SINCE.chat_completion.since;

export function isTaskType(value: unknown): value is TaskType {
  return typeof value === "string" && (TASK_TYPES as readonly string[]).includes(value);
}
