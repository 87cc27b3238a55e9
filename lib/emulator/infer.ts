/**
 * Deterministic perform-inference results of the right shape per task type: the same endpoint and input always
 * give the same vectors, token weights, scores and text, so tests can assert on them. Nothing here resembles a real
 * model beyond the shapes.
 */
import { createHash } from "node:crypto";
import { defaultDimensions, vectorElementType } from "./defaults";
import type { EndpointConfig } from "./store";

/** A small seeded PRNG (mulberry32): deterministic, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seedOf(...parts: string[]): number {
  return createHash("sha256").update(parts.join("\u0000"), "utf8").digest().readUInt32BE(0);
}

const round = (x: number, digits = 6) => Number(x.toFixed(digits));

/** A unit-length vector of `dims` values derived from the endpoint id and the text. */
export function embeddingVector(inferenceId: string, text: string, dims: number): number[] {
  const next = seededRandom(seedOf("embedding", inferenceId, text));
  const raw = Array.from({ length: dims }, () => next() * 2 - 1);
  const norm = Math.sqrt(raw.reduce((s, x) => s + x * x, 0)) || 1;
  return raw.map((x) => round(x / norm));
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

export interface InferInput {
  readonly input: readonly string[];
  readonly query?: string;
  readonly taskSettings?: Readonly<Record<string, unknown>>;
  readonly returnDocuments?: boolean;
  readonly topN?: number;
}

/** The response body of `POST _inference/{id}` for an endpoint (chat_completion excluded: it only streams). */
export function inferResult(endpoint: EndpointConfig, req: InferInput): Record<string, unknown> {
  const ss = endpoint.service_settings;
  switch (endpoint.task_type) {
    case "text_embedding":
    case "embedding": {
      const dims = typeof ss.dimensions === "number" ? ss.dimensions : defaultDimensions(endpoint.service, ss);
      const type = vectorElementType(ss.embedding_type ?? ss.element_type);
      const vectors = req.input.map((text) => embeddingVector(endpoint.inference_id, text, dims));
      // The `embedding` task's response key is inferred (9.4 multimodal API).
      const floatKey = endpoint.task_type === "embedding" ? "embeddings" : "text_embedding";
      if (type === "byte")
        return { text_embedding_bytes: vectors.map((v) => ({ embedding: v.map((x) => Math.round(x * 127)) })) };
      if (type === "bit") return { text_embedding_bits: vectors.map((v) => ({ embedding: packBits(v) })) };
      return { [floatKey]: vectors.map((embedding) => ({ embedding })) };
    }
    case "sparse_embedding":
      return {
        sparse_embedding: req.input.map((text) => ({
          is_truncated: false,
          embedding: Object.fromEntries(
            [...new Set(words(text))].map((w) => [w, round(0.1 + seededRandom(seedOf("sparse", w))() * 2, 4)]),
          ),
        })),
      };
    case "rerank":
      return { rerank: rerank(endpoint, req) };
    case "completion":
    case "chat_completion":
      return { completion: req.input.map((text) => ({ result: completionText(endpoint.inference_id, text) })) };
  }
}

/** A deterministic completion for a prompt. */
export function completionText(inferenceId: string, prompt: string): string {
  const tag = createHash("sha256").update(`${inferenceId}\u0000${prompt}`).digest("hex").slice(0, 8);
  const preview = prompt.length > 40 ? `${prompt.slice(0, 40)}...` : prompt;
  return `Emulated completion ${tag} for: ${preview}`;
}

function packBits(vector: readonly number[]): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < vector.length; i += 8) {
    let byte = 0;
    for (let j = 0; j < 8; j++) byte = (byte << 1) | ((vector[i + j] ?? 0) > 0 ? 1 : 0);
    bytes.push(byte > 127 ? byte - 256 : byte);
  }
  return bytes;
}

function rerank(endpoint: EndpointConfig, req: InferInput): Record<string, unknown>[] {
  const query = new Set(words(req.query ?? ""));
  const settings = { ...(endpoint.task_settings ?? {}), ...(req.taskSettings ?? {}) };
  const returnDocuments = req.returnDocuments ?? settings.return_documents === true;
  const topN = req.topN ?? (settings.top_n as number | undefined) ?? (settings.top_k as number | undefined);
  const scored = req.input.map((text, index) => {
    const docWords = words(text);
    const overlap = docWords.filter((w) => query.has(w)).length / Math.max(1, docWords.length);
    const jitter = seededRandom(seedOf("rerank", endpoint.inference_id, req.query ?? "", text))() * 0.05;
    return { index, relevance_score: round(Math.min(0.999999, overlap * 0.9 + jitter)), text };
  });
  scored.sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  return scored
    .slice(0, topN ?? scored.length)
    .map((r) => (returnDocuments ? r : { index: r.index, relevance_score: r.relevance_score }));
}
