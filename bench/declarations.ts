/**
 * The endpoints every contender declares: a realistic mix with unique ids, secrets as environment references.
 *
 * - OpenAI `text_embedding` (api key from `OPENAI_API_KEY`, dimensions and a `user` task setting that vary);
 * - Cohere `rerank` (api key from `COHERE_API_KEY`, `top_n` that varies);
 * - Elasticsearch `sparse_embedding` (ELSER on ML nodes, no secret).
 */

/** Dummy secrets: the emulator never calls a provider, but the values travel like real ones. */
export const SECRET_ENV: Readonly<Record<string, string>> = {
  OPENAI_API_KEY: "sk-bench-dummy-0000000000000000",
  COHERE_API_KEY: "bench-dummy-cohere-000000000000",
};

export interface SecretRef {
  readonly env: string;
}

/** An endpoint in Elasticsearch request shape plus its id and task type, secrets as references. */
export interface Declaration {
  readonly inference_id: string;
  readonly task_type: "text_embedding" | "rerank" | "sparse_embedding";
  readonly service: string;
  readonly service_settings: Record<string, unknown>;
  readonly task_settings?: Record<string, unknown>;
}

const pad = (i: number) => String(i).padStart(5, "0");

export function declarations(n: number): Declaration[] {
  return Array.from({ length: n }, (_, i): Declaration => {
    switch (i % 3) {
      case 0:
        return {
          inference_id: `bench-openai-emb-${pad(i)}`,
          task_type: "text_embedding",
          service: "openai",
          service_settings: {
            model_id: "text-embedding-3-small",
            api_key: { env: "OPENAI_API_KEY" },
            dimensions: [256, 512, 1024][(i / 3) % 3],
          },
          task_settings: { user: `tenant-${i % 7}` },
        };
      case 1:
        return {
          inference_id: `bench-cohere-rerank-${pad(i)}`,
          task_type: "rerank",
          service: "cohere",
          service_settings: { model_id: "rerank-v3.5", api_key: { env: "COHERE_API_KEY" } },
          task_settings: { top_n: 3 + (i % 8) },
        };
      default:
        return {
          inference_id: `bench-elser-${pad(i)}`,
          task_type: "sparse_embedding",
          service: "elasticsearch",
          service_settings: { model_id: ".elser_model_2", num_threads: 1, num_allocations: 1 + (i % 2) },
        };
    }
  });
}

/** The PUT body a hand-written script sends: secret references replaced by their values. */
export function requestBody(
  d: Declaration,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, unknown> {
  const resolve = (value: unknown): unknown => {
    if (typeof value === "object" && value !== null && "env" in value) {
      const name = (value as SecretRef).env;
      const secret = env[name];
      if (secret === undefined) throw new Error(`${d.inference_id}: environment variable ${name} is not set`);
      return secret;
    }
    return value;
  };
  const service_settings = Object.fromEntries(Object.entries(d.service_settings).map(([k, v]) => [k, resolve(v)]));
  return { service: d.service, service_settings, ...(d.task_settings ? { task_settings: d.task_settings } : {}) };
}
