/**
 * §1.4 perform inference: the response shape per task type, deterministic results, the request checks, and the
 * `_stream` variant (server-sent events) for completion and chat_completion.
 */
import { errorOf, openaiEmbedding, raw, useEmulator } from "./helpers";

describe("perform inference", () => {
  const { em } = useEmulator();

  beforeEach(async () => {
    const create = async (path: string, body: unknown) => expect((await raw(em(), "PUT", path, body)).status).toBe(200);
    await create("/_inference/text_embedding/emb", openaiEmbedding({ dimensions: 8 }));
    await create("/_inference/sparse_embedding/sparse", {
      service: "elasticsearch",
      service_settings: { model_id: ".elser_model_2", num_threads: 1, num_allocations: 1 },
    });
    await create("/_inference/rerank/rr", {
      service: "cohere",
      service_settings: { api_key: "k", model_id: "rerank-v3.5" },
      task_settings: { return_documents: true },
    });
    await create("/_inference/completion/done", {
      service: "openai",
      service_settings: { api_key: "k", model_id: "gpt-4o" },
    });
    await create("/_inference/chat_completion/chat", {
      service: "openai",
      service_settings: { api_key: "k", model_id: "gpt-4o" },
    });
  });

  it("text_embedding: {text_embedding: [{embedding}]}, one unit vector of `dimensions` per input, deterministic", async () => {
    const res = await raw(em(), "POST", "/_inference/emb", { input: ["a", "b"] });
    expect(Object.keys(res.json)).toEqual(["text_embedding"]);
    const [a, b] = res.json.text_embedding as { embedding: number[] }[];
    expect(a!.embedding).toHaveLength(8);
    expect(Math.abs(Math.hypot(...a!.embedding) - 1)).toBeLessThan(1e-4);
    expect(b!.embedding).not.toEqual(a!.embedding);
    const again = await raw(em(), "POST", "/_inference/text_embedding/emb", { input: "a" });
    expect(again.json.text_embedding[0].embedding).toEqual(a!.embedding);
  });

  it("sparse_embedding: {sparse_embedding: [{is_truncated, embedding: {token: weight}}]}", async () => {
    const res = await raw(em(), "POST", "/_inference/sparse", { input: "Hello hello World" });
    expect(res.json.sparse_embedding).toHaveLength(1);
    const [first] = res.json.sparse_embedding;
    expect(first.is_truncated).toBe(false);
    expect(Object.keys(first.embedding).sort()).toEqual(["hello", "world"]);
    for (const w of Object.values(first.embedding)) expect(w).toBeGreaterThan(0);
  });

  it("rerank: {rerank: [{index, relevance_score, text}]} best first; top_n and return_documents", async () => {
    const input = ["a cat", "the dog", "dog dog"];
    const res = await raw(em(), "POST", "/_inference/rr", { input, query: "dog" });
    const ranked = res.json.rerank as { index: number; relevance_score: number; text?: string }[];
    expect(ranked.map((r) => r.index)).toEqual([2, 1, 0]);
    expect(ranked[0]).toEqual({ index: 2, relevance_score: expect.any(Number), text: "dog dog" });
    const scores = ranked.map((r) => r.relevance_score);
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
    // Request-level settings win over the endpoint's task settings.
    const top = await raw(em(), "POST", "/_inference/rerank/rr", {
      input,
      query: "dog",
      top_n: 1,
      return_documents: false,
    });
    expect(top.json.rerank).toEqual([{ index: 2, relevance_score: ranked[0]!.relevance_score }]);
  });

  it("completion: {completion: [{result}]} per input", async () => {
    const res = await raw(em(), "POST", "/_inference/done", { input: ["Say hi", "Say bye"] });
    expect(res.json.completion).toHaveLength(2);
    expect(res.json.completion[0].result).toMatch(/^Emulated completion [0-9a-f]{8} for: Say hi$/);
  });

  it("chat_completion streams only: the non-streaming URL names the _stream URL", async () => {
    expect(errorOf(await raw(em(), "POST", "/_inference/chat", { input: "hi" }))).toEqual({
      status: 400,
      type: "status_exception",
      reason:
        "The task type for the inference entity is chat_completion, please use the _inference/chat_completion/chat/_stream URL.",
    });
  });

  it("_stream answers server-sent events ending with [DONE]", async () => {
    const chat = await raw(em(), "POST", "/_inference/chat_completion/chat/_stream", {
      messages: [{ role: "user", content: "hi" }],
    });
    expect(chat.status).toBe(200);
    expect(chat.headers.get("content-type")).toBe("text/event-stream");
    const events = chat.text.split("\n\n").filter((e) => e !== "");
    expect(events.at(-1)).toBe("event: message\ndata: [DONE]");
    const first = JSON.parse(events[0]!.replace("event: message\ndata: ", ""));
    expect(first).toMatchObject({
      object: "chat.completion.chunk",
      model: "gpt-4o",
      choices: [{ index: 0, delta: { role: "assistant" } }],
    });
    const completion = await raw(em(), "POST", "/_inference/completion/done/_stream", { input: "hi" });
    expect(completion.text).toMatch(/^event: message\ndata: \{"completion":\[\{"delta":"Emulated completion /);
    expect(errorOf(await raw(em(), "POST", "/_inference/chat_completion/chat/_stream", { messages: [] })).reason).toBe(
      "Validation Failed: 1: Field [messages] cannot be null or empty;",
    );
  });

  it("checks the request: input required and not empty, no unknown fields, query for rerank", async () => {
    const validation = (reason: string) => ({ status: 400, type: "action_request_validation_exception", reason });
    expect(errorOf(await raw(em(), "POST", "/_inference/emb", {}))).toEqual(
      validation("Validation Failed: 1: Field [input] cannot be null;"),
    );
    expect(errorOf(await raw(em(), "POST", "/_inference/emb", { input: [] }))).toEqual(
      validation("Validation Failed: 1: Field [input] cannot be an empty array;"),
    );
    expect(errorOf(await raw(em(), "POST", "/_inference/emb", { input: "x", foo: 1 }))).toMatchObject({
      status: 400,
      type: "x_content_parse_exception",
      reason: expect.stringMatching(/^\[1:\d+\] \[inference_request\] unknown field \[foo\]$/),
    });
    expect(errorOf(await raw(em(), "POST", "/_inference/rr", { input: ["a"], query: "" }))).toEqual(
      validation("Validation Failed: 1: Field [query] cannot be empty for task type [rerank];"),
    );
  });

  it("checks the path task type against the endpoint's", async () => {
    expect(errorOf(await raw(em(), "POST", "/_inference/sparse_embedding/emb", { input: "x" }))).toEqual({
      status: 400,
      type: "status_exception",
      reason:
        "Incompatible task_type, the requested type [sparse_embedding] does not match the model type [text_embedding]",
    });
  });

  it("accepts the timeout parameter", async () => {
    expect((await raw(em(), "POST", "/_inference/emb?timeout=45s", { input: "x" })).status).toBe(200);
  });
});
