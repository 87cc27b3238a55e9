/** The server's rules for `inference_id` (MlStrings pattern, reserved ids) and its preconfigured endpoints. */
import { BEHAVIORS } from "./behaviors";
import type { Since } from "./version";
import type { TaskType } from "./task-types";

/** `[a-z0-9](?:[a-z0-9_\-\.]*[a-z0-9])?`, checked on PUT and `_update` (not on GET or DELETE). */
export const INFERENCE_ID_PATTERN = /^[a-z0-9](?:[a-z0-9_\-.]*[a-z0-9])?$/;

export interface PreconfiguredEndpoint {
  readonly inferenceId: string;
  readonly service: string;
  readonly taskType: TaskType;
  readonly since: Since;
}

/** Endpoints every cluster lists from the given version on (in-cluster models; EIS ones only where authorized). */
export const PRECONFIGURED_ENDPOINTS: readonly PreconfiguredEndpoint[] = [
  { inferenceId: ".elser-2-elasticsearch", service: "elasticsearch", taskType: "sparse_embedding", since: "8.16.0" },
  {
    inferenceId: ".multilingual-e5-small-elasticsearch",
    service: "elasticsearch",
    taskType: "text_embedding",
    since: "8.16.0",
  },
  {
    inferenceId: ".rerank-v1-elasticsearch",
    service: "elasticsearch",
    taskType: "rerank",
    since: BEHAVIORS["defaults.rerank_endpoint"].since,
  },
];

/**
 * The endpoint a `semantic_text` field declared without `inference_id` uses, written into its mapping. Where the
 * Elastic Inference Service is available newer clusters pick an EIS endpoint instead (#142980, 9.4); without EIS it
 * is the in-cluster ELSER default (SemanticTextFieldMapper).
 */
export const DEFAULT_SEMANTIC_TEXT_INFERENCE_ID = ".elser-2-elasticsearch";

/** Whether an id is Elasticsearch's own (preconfigured) rather than a user's: they all start with a dot. */
export function isPreconfiguredId(id: string): boolean {
  return id.startsWith(".");
}

/** The id rule in words, for "allowed" parts of messages. */
export const INFERENCE_ID_RULE =
  'lowercase letters, digits, "_", "-" and "."; starting and ending with a letter or digit; not "_all"';

export interface IdProblem {
  readonly message: string;
  /** What would be accepted, when the message does not say it already. */
  readonly allowed?: string;
  /** A valid id close to the one given. */
  readonly suggestion?: string;
}

/** Problems with an id a user wants to declare, each saying what is allowed. Empty when valid. */
export function inferenceIdProblems(id: string): IdProblem[] {
  if (id.length === 0) return [{ message: "must not be empty", allowed: INFERENCE_ID_RULE }];
  if (isPreconfiguredId(id))
    return [
      {
        message: `"${id}" starts with "." like Elasticsearch's preconfigured endpoints (.elser-2-elasticsearch, ...), which cannot be declared`,
        allowed: INFERENCE_ID_RULE,
        suggestion: id.replace(/^[^a-z0-9]+/i, "").toLowerCase() || undefined,
      },
    ];
  if (id === "_all") return [{ message: '"_all" is reserved (it lists every endpoint)', allowed: INFERENCE_ID_RULE }];
  if (INFERENCE_ID_PATTERN.test(id)) return [];
  const wrong: string[] = [];
  const lower = id.toLowerCase();
  const bad = [...new Set([...lower].filter((c) => !/[a-z0-9_\-.]/.test(c)))];
  if (lower !== id) wrong.push("must be lowercase");
  if (bad.length > 0) wrong.push(`must not contain ${bad.map((c) => JSON.stringify(c)).join(", ")}`);
  if (!/^[a-z0-9]/.test(lower) || !/[a-z0-9]$/.test(lower)) wrong.push("must start and end with a letter or digit");
  const suggestion = lower.replace(/[^a-z0-9_\-.]+/g, "-").replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return [
    {
      message: `${wrong.join(", ")} (lowercase letters, digits, "_", "-" and "." are allowed)`,
      suggestion: suggestion && INFERENCE_ID_PATTERN.test(suggestion) ? suggestion : undefined,
    },
  ];
}
