/** Ingest pipelines, kept as references to inference endpoints (`inference` processors); never executed. */
import { EsError, EsRawResponse } from "./errors";
import type { EsResponse, HandlerContext, Route } from "./http-types";
import { ok } from "./http-types";
import { clone, isPlainObject } from "./json";

function putPipeline(ctx: HandlerContext): EsResponse {
  const body = ctx.req.body;
  if (!isPlainObject(body)) throw new EsError(400, "parse_exception", "request body is required");
  if (!Array.isArray(body.processors))
    throw new EsError(400, "parse_exception", "[processors] required property is missing", {
      property_name: "processors",
    });
  ctx.store.pipelines.set(ctx.params.id!, clone(body));
  ctx.store.save();
  return ok({ acknowledged: true });
}

function getPipelines(ctx: HandlerContext, id?: string): EsResponse {
  const ids = id === undefined || id === "*" ? [...ctx.store.pipelines.keys()] : id.split(",");
  const found = ids.filter((p) => ctx.store.pipelines.has(p));
  // A missing pipeline answers 404 with an empty object, not an error.
  if (found.length === 0 && id !== undefined && id !== "*") throw new EsRawResponse(404, {});
  return ok(Object.fromEntries(found.map((p) => [p, clone(ctx.store.pipelines.get(p))])));
}

function deletePipeline(ctx: HandlerContext): EsResponse {
  const id = ctx.params.id!;
  if (!ctx.store.pipelines.delete(id))
    throw new EsError(404, "resource_not_found_exception", `pipeline [${id}] is missing`);
  ctx.store.save();
  return ok({ acknowledged: true });
}

export const PIPELINE_ROUTES: readonly Route<any>[] = [
  {
    method: "PUT",
    pattern: ["_ingest", "pipeline", "{id}"],
    params: () => ["master_timeout", "timeout", "if_version"],
    run: putPipeline,
  },
  {
    method: "GET",
    pattern: ["_ingest", "pipeline"],
    params: () => ["master_timeout", "summary"],
    run: (ctx) => getPipelines(ctx),
  },
  {
    method: "GET",
    pattern: ["_ingest", "pipeline", "{id}"],
    params: () => ["master_timeout", "summary"],
    run: (ctx) => getPipelines(ctx, ctx.params.id!),
  },
  {
    method: "DELETE",
    pattern: ["_ingest", "pipeline", "{id}"],
    params: () => ["master_timeout", "timeout"],
    run: deletePipeline,
  },
];
