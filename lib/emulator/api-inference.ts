/**
 * The `_inference` routes: create, get, update, delete, perform inference (and its `_stream` form), with the
 * path forms of §1 (`{id}` or `{task_type}/{id}`) and their REST-layer checks.
 */
import { getService } from "../catalogue";
import { preconfiguredEndpoints } from "./defaults";
import { actionRequestValidation, EsError, msg, notFound, statusException } from "./errors";
import type { EsResponse, HandlerContext, Route } from "./http-types";
import { ok } from "./http-types";
import { completionText, inferResult } from "./infer";
import { javaHashOrder } from "./java";
import { isPlainObject } from "./json";
import { boolParam, timeParam } from "./params";
import { referencesTo } from "./references";
import { render, type EndpointConfig, type StoredEndpoint } from "./store";
import { parseTaskType, type TaskTypeOrAny } from "./task-types";
import { lookupEndpoint as lookupStored } from "./lookup";
import { applyUpdate } from "./update";
import { createInStore } from "./create";

interface Target {
  readonly taskType: TaskTypeOrAny;
  readonly id: string;
}

const isAll = (id: string) => id === "_all" || id === "*";

/** `{task_type_or_id}` alone is an id; with a second segment, the first is a task type (400 if unknown). */
function target(ctx: HandlerContext): Target {
  const { a, b } = ctx.params as { a: string; b?: string };
  return b === undefined ? { taskType: "any", id: a } : { taskType: parseTaskType(a, ctx.behavior), id: b };
}

function requireBody(ctx: HandlerContext): void {
  if (!ctx.req.hasBody) throw new EsError(400, "parse_exception", msg.requestBodyRequired());
}

/** A user endpoint, or a default endpoint of this version, by id. */
function lookupEndpoint(ctx: HandlerContext, id: string): StoredEndpoint | undefined {
  return lookupStored(ctx.store, ctx.behavior, id);
}

function listEndpoints(ctx: HandlerContext, taskType: TaskTypeOrAny): EsResponse {
  // Defaults are listed whether or not persisted (the server writes them on first read).
  const all = new Map<string, EndpointConfig>();
  for (const preset of preconfiguredEndpoints(ctx.behavior)) all.set(preset.inference_id, preset);
  for (const e of ctx.store.endpoints.values()) all.set(e.inference_id, render(e));
  const endpoints = [...all.values()]
    .filter((e) => taskType === "any" || e.task_type === taskType)
    .sort((x, y) => (x.inference_id < y.inference_id ? -1 : x.inference_id > y.inference_id ? 1 : 0));
  return ok({ endpoints });
}

function getOne(ctx: HandlerContext, { taskType, id }: Target): EsResponse {
  const e = lookupEndpoint(ctx, id);
  if (!e) throw notFound(msg.notFound(id));
  if (taskType !== "any" && taskType !== e.task_type)
    throw statusException(msg.taskTypeMismatch(taskType, e.task_type));
  return ok({ endpoints: [render(e)] });
}

function create(ctx: HandlerContext, t: Target): EsResponse {
  return ok(render(createInStore(ctx.store, t.id, t.taskType, ctx.req.body, ctx.behavior)));
}

function update(ctx: HandlerContext, t: Target): EsResponse {
  const result = applyUpdate(
    t.id,
    t.taskType,
    ctx.req.body,
    ctx.behavior,
    (id) => lookupEndpoint(ctx, id),
    ctx.req.rawBody,
  );
  if (result.changed) {
    ctx.store.endpoints.set(t.id, result.endpoint);
    ctx.store.save();
  }
  return ok(render(result.endpoint));
}

interface DeleteOptions extends Target {
  readonly force: boolean;
  readonly dryRun: boolean;
}

function remove(ctx: HandlerContext, o: DeleteOptions): EsResponse {
  const e = lookupEndpoint(ctx, o.id);
  if (!e) throw notFound(msg.notFound(o.id));
  if (o.taskType !== "any" && o.taskType !== e.task_type)
    throw statusException(msg.taskTypeMismatch(o.taskType, e.task_type));
  const preset = !ctx.store.endpoints.has(o.id);
  // Placement of the reserved-endpoint check (after lookup and task type, before dry_run) is inferred.
  if (preset && !o.force) throw statusException(msg.reservedDelete(o.id));
  const refs = referencesTo(ctx.store, o.id);
  if (o.dryRun)
    return ok({
      acknowledged: false,
      pipelines: javaHashOrder(refs.pipelines),
      indexes: javaHashOrder(refs.indexes),
      error_message: msg.referencedBy(o.id, refs.pipelines, refs.indexes),
    });
  if (!o.force && (refs.pipelines.length > 0 || refs.indexes.length > 0))
    throw statusException(msg.referencedBy(o.id, refs.pipelines, refs.indexes), 409);
  // An endpoint of a service this version does not have (a state file from another version): nothing can stop it,
  // and only `force` deletes it anyway (delete.force_broken_endpoints).
  const service = getService(e.service);
  if ((!service || !ctx.behavior.at(service.since)) && !(o.force && ctx.behavior.has("delete.force_broken_endpoints")))
    throw statusException(`No service found for this inference endpoint ${o.id}`, 404);
  // A deleted default endpoint is persisted again on the next read: it stays listed.
  if (!preset) {
    ctx.store.endpoints.delete(o.id);
    ctx.store.save();
  }
  return ok({ acknowledged: true, pipelines: [], indexes: [] });
}

const INFER_FIELDS = ["input", "query", "input_type", "task_settings", "return_documents", "top_n", "timeout"];

interface InferBody {
  input: string[];
  query?: string;
  taskSettings?: Record<string, unknown>;
  returnDocuments?: boolean;
  topN?: number;
}

/** `InferenceAction.Request.parseRequest` and `validate()`. */
function parseInferBody(ctx: HandlerContext, taskType: TaskTypeOrAny): InferBody {
  const body = ctx.req.body;
  if (!isPlainObject(body))
    throw new EsError(400, "x_content_parse_exception", "[1:1] [inference_request] Expected START_OBJECT");
  for (const key of Object.keys(body))
    if (!INFER_FIELDS.includes(key)) {
      // Position approximated: the server reports where the parser met the key.
      const column = Math.max(1, ctx.req.rawBody.indexOf(`"${key}"`) + 1 + key.length + 2);
      throw new EsError(400, "x_content_parse_exception", `[1:${column}] [inference_request] unknown field [${key}]`);
    }
  const errors: string[] = [];
  const raw = body.input;
  let input: string[] = [];
  if (raw === undefined || raw === null) errors.push("Field [input] cannot be null");
  else if (typeof raw === "string") input = [raw];
  else if (Array.isArray(raw) && raw.every((x) => typeof x === "string")) {
    if (raw.length === 0) errors.push("Field [input] cannot be an empty array");
    input = raw as string[];
  } else throw new EsError(400, "x_content_parse_exception", "[1:1] [inference_request] failed to parse field [input]");
  const query = typeof body.query === "string" ? body.query : undefined;
  if (taskType === "rerank") errors.push(...rerankQueryErrors(query));
  if (errors.length > 0) throw actionRequestValidation(errors);
  return {
    input,
    query,
    taskSettings: isPlainObject(body.task_settings) ? body.task_settings : undefined,
    returnDocuments: typeof body.return_documents === "boolean" ? body.return_documents : undefined,
    topN: typeof body.top_n === "number" ? body.top_n : undefined,
  };
}

function rerankQueryErrors(query: string | undefined): string[] {
  if (query === undefined) return ["Field [query] cannot be null for task type [rerank]"];
  if (query === "") return ["Field [query] cannot be empty for task type [rerank]"];
  return [];
}

function endpointForInference(ctx: HandlerContext, t: Target): EndpointConfig {
  const e = lookupEndpoint(ctx, t.id);
  if (!e) throw notFound(msg.notFound(t.id));
  if (t.taskType !== "any" && t.taskType !== e.task_type)
    throw statusException(msg.inferenceTaskTypeMismatch(t.taskType, e.task_type));
  return render(e);
}

function infer(ctx: HandlerContext, t: Target): EsResponse {
  const req = parseInferBody(ctx, t.taskType);
  const endpoint = endpointForInference(ctx, t);
  if (endpoint.task_type === "chat_completion")
    throw statusException(msg.useStreamUrl(endpoint.task_type, endpoint.inference_id));
  if (endpoint.task_type === "rerank") {
    const errors = rerankQueryErrors(req.query);
    if (errors.length > 0) throw actionRequestValidation(errors);
  }
  return ok(inferResult(endpoint, req));
}

/** Server-sent events, as the `_stream` API answers. */
function sse(events: readonly unknown[]): EsResponse {
  const data = [
    ...events.map((e) => `event: message\ndata: ${JSON.stringify(e)}\n\n`),
    "event: message\ndata: [DONE]\n\n",
  ].join("");
  return { status: 200, text: { contentType: "text/event-stream", data } };
}

function stream(ctx: HandlerContext, t: Target): EsResponse {
  const body = ctx.req.body;
  if (!isPlainObject(body))
    throw new EsError(400, "x_content_parse_exception", "[1:1] [inference_request] Expected START_OBJECT");
  const endpoint = lookupEndpoint(ctx, t.id);
  if (!endpoint) throw notFound(msg.notFound(t.id));
  if (t.taskType !== "any" && t.taskType !== endpoint.task_type)
    throw statusException(msg.inferenceTaskTypeMismatch(t.taskType, endpoint.task_type));
  if (endpoint.task_type === "chat_completion") {
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0)
      throw actionRequestValidation(["Field [messages] cannot be null or empty"]);
    const last = messages[messages.length - 1];
    const prompt = isPlainObject(last) && typeof last.content === "string" ? last.content : JSON.stringify(last);
    const model = endpoint.service_settings.model_id ?? endpoint.service_settings.model ?? endpoint.service;
    return sse([
      {
        id: endpoint.inference_id,
        choices: [{ delta: { content: completionText(endpoint.inference_id, prompt), role: "assistant" }, index: 0 }],
        model,
        object: "chat.completion.chunk",
      },
    ]);
  }
  if (endpoint.task_type === "completion") {
    const req = parseInferBody(ctx, t.taskType);
    return sse([{ completion: req.input.map((text) => ({ delta: completionText(endpoint.inference_id, text) })) }]);
  }
  // Only completion and chat_completion stream. The refusal arrives inside the event stream, as one `error` event
  // (InferenceCrudIT.testUnsupportedStream), not as an HTTP error.
  const refusal = statusException(
    `Streaming is not allowed for service [${endpoint.service}] and task [${endpoint.task_type}]`,
  );
  return {
    status: 200,
    text: { contentType: "text/event-stream", data: `event: error\ndata: ${JSON.stringify(refusal.body())}\n\n` },
  };
}

/**
 * RestPutInferenceModelAction.prepareRequest: path task type, then the body, then `timeout` (read only by versions
 * that have it; older ones leave it unread, so it is rejected as an unrecognized parameter, not parsed).
 */
function prepareCreate(ctx: HandlerContext): Target {
  const t = target(ctx);
  requireBody(ctx);
  if (ctx.behavior.has("put.timeout")) timeParam(ctx.req.query, "timeout");
  return t;
}

/** RestUpdateInferenceModelAction.prepareRequest: the body, `master_timeout`, and `timeout` from 9.5. */
function prepareUpdate(ctx: HandlerContext, t: Target): Target {
  requireBody(ctx);
  timeParam(ctx.req.query, "master_timeout");
  if (ctx.behavior.has("update.timeout")) timeParam(ctx.req.query, "timeout");
  return t;
}

const inferenceParams = ["timeout"];

export const INFERENCE_ROUTES: readonly Route<any>[] = [
  // GET
  { method: "GET", pattern: ["_inference"], run: (ctx) => listEndpoints(ctx, "any") },
  {
    method: "GET",
    pattern: ["_inference", "{a}"],
    run: (ctx) => (isAll(ctx.params.a!) ? listEndpoints(ctx, "any") : getOne(ctx, target(ctx))),
  },
  {
    method: "GET",
    pattern: ["_inference", "{a}", "{b}"],
    prepare: target,
    run: (ctx, t: Target) => (isAll(t.id) ? listEndpoints(ctx, t.taskType) : getOne(ctx, t)),
  },
  // PUT create
  {
    method: "PUT",
    pattern: ["_inference", "{a}"],
    params: (b) => (b.has("put.timeout") ? ["timeout"] : []),
    prepare: prepareCreate,
    run: create,
  },
  {
    method: "PUT",
    pattern: ["_inference", "{a}", "{b}"],
    params: (b) => (b.has("put.timeout") ? ["timeout"] : []),
    prepare: prepareCreate,
    run: create,
  },
  // PUT _update (PUT only: POST falls through to perform inference, as on the server)
  {
    method: "PUT",
    pattern: ["_inference", "{a}", "_update"],
    params: (b) => ["master_timeout", ...(b.has("update.timeout") ? ["timeout"] : [])],
    prepare: (ctx) => prepareUpdate(ctx, { taskType: "any", id: ctx.params.a! }),
    run: update,
  },
  {
    method: "PUT",
    pattern: ["_inference", "{a}", "{b}", "_update"],
    params: (b) => ["master_timeout", ...(b.has("update.timeout") ? ["timeout"] : [])],
    prepare: (ctx) => prepareUpdate(ctx, target(ctx)),
    run: update,
  },
  // DELETE
  ...(["{a}", "{a}/{b}"] as const).map((shape): Route<DeleteOptions> => ({
    method: "DELETE",
    pattern: ["_inference", ...shape.split("/")],
    params: () => ["force", "dry_run"],
    prepare: (ctx) => ({
      ...target(ctx),
      force: boolParam(ctx.req.query, "force") ?? false,
      dryRun: boolParam(ctx.req.query, "dry_run") ?? false,
    }),
    run: remove,
  })),
  // POST perform inference (the streaming form takes no `timeout`)
  ...performRoutes(["{a}", "{a}/{b}"], infer, { timeout: true }),
  ...performRoutes(["{a}/_stream", "{a}/{b}/_stream"], stream, { timeout: false }),
];

function performRoutes(
  shapes: readonly string[],
  run: Route<Target>["run"],
  options: { readonly timeout: boolean },
): Route<Target>[] {
  return shapes.map((shape) => ({
    method: "POST",
    pattern: ["_inference", ...shape.split("/")],
    params: () => inferenceParams,
    prepare: (ctx) => {
      const t = target(ctx);
      requireBody(ctx);
      if (options.timeout) timeParam(ctx.req.query, "timeout");
      return t;
    },
    run,
  }));
}
