/**
 * `esinfer test` and `apply --verify`: perform one inference and check the result has the shape the task type
 * promises (vectors of the endpoint's dimensions, token weights, scored documents, text).
 */
import type { TaskType } from "../catalogue";
import type { ElasticsearchClient } from "../client";

export interface VerifyResult {
  readonly ok: boolean;
  /** What was checked, or what is wrong. */
  readonly message: string;
  readonly response?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export async function verifyEndpoint(
  client: ElasticsearchClient,
  id: string,
  taskType: TaskType,
  input = "esinfer verification: the quick brown fox",
): Promise<VerifyResult> {
  if (taskType === "chat_completion")
    return { ok: true, message: "chat_completion endpoints answer only the streaming _stream API; not checked" };
  let response: Record<string, unknown>;
  try {
    response =
      taskType === "rerank"
        ? await client.infer(taskType, id, { input: [input, "an unrelated document"], query: "quick fox" })
        : await client.infer(taskType, id, { input: [input] });
  } catch (error) {
    return { ok: false, message: `inference failed: ${(error as Error).message}` };
  }
  const problem = shapeProblem(taskType, response);
  return problem
    ? { ok: false, message: problem, response }
    : { ok: true, message: describeShape(taskType, response), response };
}

/**
 * The response key of a task type's results. Embeddings come back as `text_embedding`, or, for endpoints whose
 * embedding type is byte or bit, `text_embedding_bytes` / `text_embedding_bits` (integers, same shape).
 */
function resultsKey(taskType: TaskType, response: Record<string, unknown>): string | undefined {
  if (taskType === "embedding") return firstKey(response, ["embeddings", "embedding", "text_embedding"]);
  if (taskType === "text_embedding")
    return firstKey(response, ["text_embedding", "text_embedding_bytes", "text_embedding_bits"]);
  return taskType;
}

function shapeProblem(taskType: TaskType, response: Record<string, unknown>): string | undefined {
  const key = resultsKey(taskType, response);
  const results = key ? response[key] : undefined;
  if (!Array.isArray(results) || results.length === 0)
    return `expected a non-empty "${key ?? taskType}" array in the response, got keys [${Object.keys(response).join(", ")}]`;
  switch (taskType) {
    case "text_embedding":
    case "embedding": {
      const vectors = results.map((r) => (isObject(r) ? r.embedding : undefined));
      if (!vectors.every((v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number")))
        return "expected every result to carry a non-empty numeric embedding";
      const dims = new Set(vectors.map((v) => (v as unknown[]).length));
      return dims.size === 1 ? undefined : `embeddings of different lengths: ${[...dims].join(", ")}`;
    }
    case "sparse_embedding":
      return results.every(
        (r) => isObject(r) && isObject(r.embedding) && Object.values(r.embedding).every((w) => typeof w === "number"),
      )
        ? undefined
        : "expected every result to carry an embedding of token weights";
    case "rerank":
      return results.every((r) => isObject(r) && typeof r.index === "number" && typeof r.relevance_score === "number")
        ? undefined
        : "expected every result to have a numeric index and relevance_score";
    case "completion":
      return results.every((r) => isObject(r) && typeof r.result === "string")
        ? undefined
        : "expected every result to have a text result";
    default:
      return undefined;
  }
}

function describeShape(taskType: TaskType, response: Record<string, unknown>): string {
  const results = response[resultsKey(taskType, response) ?? taskType] as unknown[];
  if (taskType === "text_embedding" || taskType === "embedding") {
    const first = results[0] as { embedding: unknown[] };
    return `${results.length} embedding(s) of ${first.embedding.length} dimensions`;
  }
  if (taskType === "sparse_embedding")
    return `${results.length} sparse embedding(s), ${Object.keys((results[0] as { embedding: object }).embedding).length} tokens in the first`;
  if (taskType === "rerank") return `${results.length} documents ranked`;
  return `${results.length} completion(s)`;
}

function firstKey(o: Record<string, unknown>, keys: string[]): string | undefined {
  return keys.find((k) => k in o) ?? Object.keys(o)[0];
}
