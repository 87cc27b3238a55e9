/**
 * Shared pieces of the conformance suite: an emulator per test file, raw HTTP with the server's error shape, and
 * the real services that stand in for Elasticsearch's internal mock services (`inference-service-test` plugin),
 * each of the same shape: sparse with task settings, dense, completion, chat completion.
 */
import {
  getService,
  isAtLeast,
  SERVICE_NAMES,
  taskSince,
  taskTypeExists,
  taskTypesOf,
  type TaskType,
} from "../../lib/catalogue";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../lib/emulator";
import { errorOf, raw, type RawResponse } from "../emulator/helpers";

export { errorOf, raw, type RawResponse };

/** An emulator for the test file, reset before each test. */
export function useConformanceEmulator(options: EmulatorOptions = {}): () => Emulator {
  let em: Emulator | undefined;
  beforeAll(async () => {
    em = await startEmulator(options);
  });
  beforeEach(() => em!.reset());
  afterAll(async () => {
    await em?.stop();
  });
  return () => em!;
}

/** `test_service` (sparse, with an api_key and task settings): AlibabaCloud AI Search sparse_embedding. */
export const mockSparseServiceModelConfig = (apiKey = "sparse-key", taskSettings: Record<string, unknown> = {}) => ({
  service: "alibabacloud-ai-search",
  service_settings: {
    api_key: apiKey,
    host: "h.example",
    service_id: "ops-text-sparse-embedding-001",
    workspace: "default",
  },
  task_settings: { return_token: false, ...taskSettings },
});

/** `text_embedding_test_service`: OpenAI text_embedding. */
export const mockDenseServiceModelConfig = () => ({
  service: "openai",
  service_settings: { api_key: "dense-key", model_id: "text-embedding-3-small", dimensions: 128, similarity: "cosine" },
});

/** `streaming_completion_test_service` for completion and chat_completion: OpenAI. */
export const mockCompletionServiceModelConfig = () => ({
  service: "openai",
  service_settings: { api_key: "completion-key", model_id: "gpt-4o-mini" },
});

/** The `event` / `data` pairs of a server-sent events body. */
export function events(text: string): { type: string; data: string }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const type = lines.find((l) => l.startsWith("event: "))?.slice("event: ".length) ?? "message";
      const data = lines.find((l) => l.startsWith("data: "))?.slice("data: ".length) ?? "";
      return { type, data };
    });
}

/** The service and task types a version has. */
export function pairsAt(version: string): [string, TaskType][] {
  return SERVICE_NAMES.flatMap((service) =>
    taskTypesOf(service)
      .filter((t) => isAtLeast(version, getService(service)!.since) && isAtLeast(version, taskSince(service, t)!))
      .filter((t) => taskTypeExists(t, version))
      .map((t): [string, TaskType] => [service, t]),
  );
}
