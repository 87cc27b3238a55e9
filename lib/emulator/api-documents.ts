/**
 * The document routes: single-document index/create/get/delete (esinfer's own state documents, with optimistic
 * concurrency), `_mget` and `_bulk` (RestMultiGetAction, RestBulkAction). Indexing a document with a value for a
 * semantic_text field records the field's model settings (semantic-text.ts).
 */
import { randomBytes } from "node:crypto";
import { executeBulk, parseBulk } from "./bulk";
import { casErrors, deleteDocument, documentView, getIndex, writeDocument, type WriteOptions } from "./documents";
import { actionRequestValidation, illegalArgument } from "./errors";
import type { EsResponse, HandlerContext, Route } from "./http-types";
import { ok } from "./http-types";
import { executeMget, parseMget } from "./mget";
import { boolParam, longParam } from "./params";

function autoId(): string {
  return randomBytes(15).toString("base64url").slice(0, 20);
}

/** `refresh`: true, false, wait_for or empty (= true); whether the write reports a forced refresh. */
export function refreshParam(ctx: HandlerContext): boolean {
  const refresh = ctx.req.query.refresh;
  if (refresh !== undefined && !["", "true", "false", "wait_for"].includes(refresh))
    throw illegalArgument(`Unknown value for refresh: [${refresh}].`);
  return refresh === "" || refresh === "true";
}

function writeOptions(ctx: HandlerContext, forceCreate: boolean): WriteOptions {
  const op = ctx.req.query.op_type;
  if (op !== undefined && op !== "index" && op !== "create")
    throw illegalArgument(`opType must be 'create' or 'index', found: [${op}]`);
  return {
    opType: forceCreate || op === "create" ? "create" : "index",
    ifSeqNo: longParam(ctx.req.query, "if_seq_no"),
    ifPrimaryTerm: longParam(ctx.req.query, "if_primary_term"),
    refresh: refreshParam(ctx),
  };
}

function indexDoc(ctx: HandlerContext, id: string, o: WriteOptions): EsResponse {
  const errors = casErrors(o);
  if (!ctx.req.hasBody) errors.push("source is missing", "content type is missing");
  if (errors.length > 0) throw actionRequestValidation(errors);
  const outcome = writeDocument(ctx.store, ctx.behavior, ctx.params.index!, id, ctx.req.body, o);
  ctx.store.save();
  const location = `/${encodeURIComponent(ctx.params.index!)}/_doc/${encodeURIComponent(id)}`;
  return {
    status: outcome.status,
    body: outcome.body,
    headers: outcome.status === 201 ? { Location: location } : undefined,
  };
}

function deleteDoc(ctx: HandlerContext): EsResponse {
  const o = {
    ifSeqNo: longParam(ctx.req.query, "if_seq_no"),
    ifPrimaryTerm: longParam(ctx.req.query, "if_primary_term"),
    refresh: refreshParam(ctx),
  };
  const errors = casErrors(o);
  if (errors.length > 0) throw actionRequestValidation(errors);
  const outcome = deleteDocument(ctx.store, ctx.params.index!, ctx.params.id!, o);
  ctx.store.save();
  return { status: outcome.status, body: outcome.body };
}

function getDoc(ctx: HandlerContext): EsResponse {
  const view = documentView(getIndex(ctx.store, ctx.params.index!), ctx.params.id!);
  return { status: view.found ? 200 : 404, body: view };
}

const WRITE_PARAMS = [
  "op_type",
  "if_seq_no",
  "if_primary_term",
  "refresh",
  "routing",
  "timeout",
  "wait_for_active_shards",
];
const READ_PARAMS = ["realtime", "refresh", "routing", "preference"];

function mget(ctx: HandlerContext): EsResponse {
  if (!ctx.req.hasBody) throw actionRequestValidation(["no documents to get"]);
  const withSource = boolParam(ctx.req.query, "_source") ?? true;
  return ok(executeMget(ctx.store, parseMget(ctx.req.body, ctx.params.index), withSource));
}

function bulk(ctx: HandlerContext): EsResponse {
  const refresh = refreshParam(ctx);
  return ok(executeBulk(ctx.store, ctx.behavior, parseBulk(ctx.req.rawBody, ctx.params.index), refresh, autoId));
}

export const DOCUMENT_ROUTES: readonly Route<any>[] = [
  ...(["PUT", "POST"] as const).flatMap((method) => [
    {
      method,
      pattern: ["{index}", "_doc", "{id}"],
      params: () => WRITE_PARAMS,
      prepare: (ctx: HandlerContext) => writeOptions(ctx, false),
      run: (ctx: HandlerContext, o: WriteOptions) => indexDoc(ctx, ctx.params.id!, o),
    },
    {
      method,
      pattern: ["{index}", "_create", "{id}"],
      params: () => WRITE_PARAMS,
      prepare: (ctx: HandlerContext) => writeOptions(ctx, true),
      run: (ctx: HandlerContext, o: WriteOptions) => indexDoc(ctx, ctx.params.id!, o),
    },
    {
      method,
      pattern: ["{index}", "_bulk"],
      params: () => ["refresh", "timeout", "wait_for_active_shards"],
      run: bulk,
    },
    { method, pattern: ["_bulk"], params: () => ["refresh", "timeout", "wait_for_active_shards"], run: bulk },
  ]),
  {
    method: "POST",
    pattern: ["{index}", "_doc"],
    params: () => WRITE_PARAMS,
    prepare: (ctx: HandlerContext) => writeOptions(ctx, true),
    run: (ctx: HandlerContext, o: WriteOptions) => indexDoc(ctx, autoId(), o),
  },
  { method: "GET", pattern: ["{index}", "_doc", "{id}"], params: () => READ_PARAMS, run: getDoc },
  {
    method: "HEAD",
    pattern: ["{index}", "_doc", "{id}"],
    params: () => READ_PARAMS,
    run: (ctx) => ({ status: ctx.store.indices.get(ctx.params.index!)?.docs.has(ctx.params.id!) ? 200 : 404 }),
  },
  {
    method: "DELETE",
    pattern: ["{index}", "_doc", "{id}"],
    params: () => ["if_seq_no", "if_primary_term", "refresh", "routing", "timeout", "wait_for_active_shards"],
    run: deleteDoc,
  },
  ...(["GET", "POST"] as const).flatMap((method) => [
    { method, pattern: ["{index}", "_mget"], params: () => [...READ_PARAMS, "_source"], run: mget },
    { method, pattern: ["_mget"], params: () => [...READ_PARAMS, "_source"], run: mget },
  ]),
];
