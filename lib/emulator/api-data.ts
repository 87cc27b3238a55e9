/**
 * Minimal index, document and ingest pipeline APIs: enough for references to endpoints (`semantic_text` mappings,
 * `inference` processors) and for esinfer's own state documents with optimistic concurrency (`op_type=create`,
 * `if_seq_no` + `if_primary_term`).
 *
 * Mappings and pipelines that name a missing inference endpoint are accepted: the emulator stores references
 * without resolving them (a real cluster may reject some of them, or fail later at indexing time).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { actionRequestValidation, EsError, EsRawResponse, illegalArgument, indexNotFound, msg } from "./errors";
import type { EsResponse, HandlerContext, Route } from "./http-types";
import { ok } from "./http-types";
import { clone, isPlainObject } from "./json";
import { longParam } from "./params";
import { PRIMARY_TERM, type IndexState } from "./store";

const SHARDS = { total: 2, successful: 1, failed: 0 };

/** `MetadataCreateIndexService.validateIndexOrAliasName` (the common cases). */
function validateIndexName(name: string): void {
  const fail = (why: string) => {
    throw new EsError(400, "invalid_index_name_exception", `Invalid index name [${name}], ${why}`, {
      index_uuid: "_na_",
      index: name,
    });
  };
  if (name !== name.toLowerCase()) fail("must be lowercase");
  if (/[\\/*?"<>| ,#:]/.test(name))
    fail("must not contain the following characters [' ', '\"', '*', ',', '/', '<', '>', '?', '\\\\', '|']");
  if (/^[-_+]/.test(name)) fail("must not start with '_', '-', or '+'");
  if (name === "." || name === "..") fail("must not be '.' or '..'");
}

function getIndex(ctx: HandlerContext, name: string): IndexState {
  const index = ctx.store.indices.get(name);
  if (!index) throw indexNotFound(name);
  return index;
}

function newIndex(name: string, mappings: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
  return {
    name,
    uuid: randomUUID().replace(/-/g, "").slice(0, 22),
    mappings,
    settings,
    docs: new Map(),
    versions: new Map(),
    nextSeqNo: 0,
  } satisfies IndexState;
}

function createIndex(ctx: HandlerContext): EsResponse {
  const name = ctx.params.index!;
  validateIndexName(name);
  const existing = ctx.store.indices.get(name);
  if (existing)
    throw new EsError(400, "resource_already_exists_exception", `index [${name}/${existing.uuid}] already exists`, {
      index_uuid: existing.uuid,
      index: name,
    });
  const body = ctx.req.hasBody ? ctx.req.body : {};
  if (!isPlainObject(body)) throw new EsError(400, "parse_exception", "request body must be an object");
  const mappings = isPlainObject(body.mappings) ? clone(body.mappings) : {};
  const settings = isPlainObject(body.settings) ? clone(body.settings) : {};
  ctx.store.indices.set(name, newIndex(name, mappings, settings));
  ctx.store.save();
  return ok({ acknowledged: true, shards_acknowledged: true, index: name });
}

function putMapping(ctx: HandlerContext): EsResponse {
  const index = getIndex(ctx, ctx.params.index!);
  const body = ctx.req.body;
  if (!isPlainObject(body)) throw new EsError(400, "parse_exception", "request body is required");
  const properties = isPlainObject(index.mappings.properties) ? { ...index.mappings.properties } : {};
  if (isPlainObject(body.properties)) Object.assign(properties, clone(body.properties));
  index.mappings = { ...index.mappings, ...clone(body), properties };
  ctx.store.save();
  return ok({ acknowledged: true });
}

interface WriteOptions {
  readonly opType: "index" | "create";
  readonly ifSeqNo?: number;
  readonly ifPrimaryTerm?: number;
  readonly refresh: boolean;
}

function writeOptions(ctx: HandlerContext, forceCreate: boolean): WriteOptions {
  const op = ctx.req.query.op_type;
  if (op !== undefined && op !== "index" && op !== "create")
    throw illegalArgument(`opType must be 'create' or 'index', found: [${op}]`);
  const refresh = checkRefresh(ctx);
  return {
    opType: forceCreate || op === "create" ? "create" : "index",
    ifSeqNo: longParam(ctx.req.query, "if_seq_no"),
    ifPrimaryTerm: longParam(ctx.req.query, "if_primary_term"),
    refresh: refresh === "" || refresh === "true",
  };
}

/** `refresh`: true, false, wait_for or empty (= true). */
function checkRefresh(ctx: HandlerContext): string | undefined {
  const refresh = ctx.req.query.refresh;
  if (refresh !== undefined && !["", "true", "false", "wait_for"].includes(refresh))
    throw illegalArgument(`Unknown value for refresh: [${refresh}].`);
  return refresh;
}

/** `IndexRequest.validate` / `DeleteRequest.validate` compare-and-set checks (wording inferred). */
function validateCas(o: { opType?: string; ifSeqNo?: number; ifPrimaryTerm?: number }): void {
  const errors: string[] = [];
  if (o.opType === "create" && o.ifSeqNo !== undefined)
    errors.push("create operations do not support compare and set. use index instead");
  if (o.ifSeqNo !== undefined && o.ifPrimaryTerm === undefined) errors.push("ifSeqNo is set, but primary term is [0]");
  if (o.ifPrimaryTerm !== undefined && o.ifSeqNo === undefined)
    errors.push(`ifSeqNo is unassigned, but primary term is [${o.ifPrimaryTerm}]`);
  if (errors.length > 0) throw actionRequestValidation(errors);
}

function conflict(index: IndexState, reason: string): EsError {
  return new EsError(409, "version_conflict_engine_exception", reason, {
    index_uuid: index.uuid,
    shard: "0",
    index: index.name,
  });
}

function checkSeqNo(index: IndexState, id: string, o: { ifSeqNo?: number; ifPrimaryTerm?: number }): void {
  if (o.ifSeqNo === undefined) return;
  const doc = index.docs.get(id);
  if (!doc) throw conflict(index, msg.docSeqNoConflict(id, o.ifSeqNo, o.ifPrimaryTerm!));
  if (doc.seqNo !== o.ifSeqNo || doc.primaryTerm !== o.ifPrimaryTerm)
    throw conflict(
      index,
      msg.docSeqNoConflict(id, o.ifSeqNo, o.ifPrimaryTerm!, { seqNo: doc.seqNo, term: doc.primaryTerm }),
    );
}

function indexDoc(ctx: HandlerContext, id: string, o: WriteOptions): EsResponse {
  const name = ctx.params.index!;
  validateIndexName(name);
  validateCas(o);
  if (!ctx.req.hasBody) throw actionRequestValidation(["source is missing", "content type is missing"]);
  const source = ctx.req.body;
  if (!isPlainObject(source))
    throw new EsError(400, "document_parsing_exception", "[1:1] failed to parse: the document must be a JSON object");
  let index = ctx.store.indices.get(name);
  if (!index) {
    index = newIndex(name);
    ctx.store.indices.set(name, index);
  }
  const existing = index.docs.get(id);
  if (o.opType === "create" && existing) throw conflict(index, msg.docAlreadyExists(id, existing.version));
  checkSeqNo(index, id, o);
  const version = (index.versions.get(id) ?? 0) + 1;
  const doc = { source: clone(source), version, seqNo: index.nextSeqNo++, primaryTerm: PRIMARY_TERM };
  index.docs.set(id, doc);
  index.versions.set(id, version);
  ctx.store.save();
  const created = !existing;
  return {
    status: created ? 201 : 200,
    body: {
      _index: name,
      _id: id,
      _version: version,
      result: created ? "created" : "updated",
      ...(o.refresh ? { forced_refresh: true } : {}),
      _shards: SHARDS,
      _seq_no: doc.seqNo,
      _primary_term: doc.primaryTerm,
    },
    headers: created ? { Location: `/${encodeURIComponent(name)}/_doc/${encodeURIComponent(id)}` } : undefined,
  };
}

function getDoc(ctx: HandlerContext): EsResponse {
  const index = getIndex(ctx, ctx.params.index!);
  const id = ctx.params.id!;
  const doc = index.docs.get(id);
  if (!doc) return { status: 404, body: { _index: index.name, _id: id, found: false } };
  return ok({
    _index: index.name,
    _id: id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: doc.primaryTerm,
    found: true,
    _source: clone(doc.source),
  });
}

function deleteDoc(ctx: HandlerContext): EsResponse {
  const o = {
    ifSeqNo: longParam(ctx.req.query, "if_seq_no"),
    ifPrimaryTerm: longParam(ctx.req.query, "if_primary_term"),
  };
  validateCas(o);
  const index = getIndex(ctx, ctx.params.index!);
  const id = ctx.params.id!;
  checkSeqNo(index, id, o);
  const existing = index.docs.get(id);
  const version = (index.versions.get(id) ?? 0) + 1;
  const seqNo = index.nextSeqNo++;
  index.versions.set(id, version);
  if (existing) index.docs.delete(id);
  ctx.store.save();
  return {
    status: existing ? 200 : 404,
    body: {
      _index: index.name,
      _id: id,
      _version: version,
      result: existing ? "deleted" : "not_found",
      _shards: SHARDS,
      _seq_no: seqNo,
      _primary_term: PRIMARY_TERM,
    },
  };
}

function getIndexInfo(ctx: HandlerContext): EsResponse {
  const index = getIndex(ctx, ctx.params.index!);
  return ok({
    [index.name]: {
      aliases: {},
      mappings: clone(index.mappings),
      settings: {
        index: {
          ...clone(index.settings),
          number_of_shards: "1",
          number_of_replicas: "1",
          uuid: index.uuid,
          provided_name: index.name,
        },
      },
    },
  });
}

function putPipeline(ctx: HandlerContext): EsResponse {
  const id = ctx.params.id!;
  const body = ctx.req.body;
  if (!isPlainObject(body)) throw new EsError(400, "parse_exception", "request body is required");
  if (!Array.isArray(body.processors))
    throw new EsError(400, "parse_exception", "[processors] required property is missing", {
      property_name: "processors",
    });
  ctx.store.pipelines.set(id, clone(body));
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

const indexWriteParams = () => [
  "op_type",
  "if_seq_no",
  "if_primary_term",
  "refresh",
  "routing",
  "timeout",
  "pipeline",
  "require_alias",
  "wait_for_active_shards",
  "version",
  "version_type",
];

function autoId(): string {
  return randomBytes(15).toString("base64url").slice(0, 20);
}

export const DATA_ROUTES: readonly Route<any>[] = [
  // Indices
  {
    method: "PUT",
    pattern: ["{index}"],
    params: () => ["wait_for_active_shards", "timeout", "master_timeout"],
    run: createIndex,
  },
  {
    method: "HEAD",
    pattern: ["{index}"],
    run: (ctx) => ({ status: ctx.store.indices.has(ctx.params.index!) ? 200 : 404 }),
  },
  { method: "GET", pattern: ["{index}"], params: () => ["master_timeout", "flat_settings"], run: getIndexInfo },
  {
    method: "DELETE",
    pattern: ["{index}"],
    params: () => ["timeout", "master_timeout", "ignore_unavailable", "allow_no_indices", "expand_wildcards"],
    run: (ctx) => {
      getIndex(ctx, ctx.params.index!);
      ctx.store.indices.delete(ctx.params.index!);
      ctx.store.save();
      return ok({ acknowledged: true });
    },
  },
  {
    method: "GET",
    pattern: ["{index}", "_mapping"],
    params: () => ["master_timeout", "ignore_unavailable", "allow_no_indices", "expand_wildcards", "local"],
    run: (ctx) => {
      const index = getIndex(ctx, ctx.params.index!);
      return ok({ [index.name]: { mappings: clone(index.mappings) } });
    },
  },
  { method: "PUT", pattern: ["{index}", "_mapping"], params: () => ["timeout", "master_timeout"], run: putMapping },
  {
    method: "POST",
    pattern: ["{index}", "_refresh"],
    run: (ctx) => {
      getIndex(ctx, ctx.params.index!);
      return ok({ _shards: SHARDS });
    },
  },
  // Documents
  ...(["PUT", "POST"] as const).flatMap((method) => [
    {
      method,
      pattern: ["{index}", "_doc", "{id}"],
      params: indexWriteParams,
      prepare: (ctx: HandlerContext) => writeOptions(ctx, false),
      run: (ctx: HandlerContext, o: WriteOptions) => indexDoc(ctx, ctx.params.id!, o),
    },
    {
      method,
      pattern: ["{index}", "_create", "{id}"],
      params: indexWriteParams,
      prepare: (ctx: HandlerContext) => writeOptions(ctx, true),
      run: (ctx: HandlerContext, o: WriteOptions) => indexDoc(ctx, ctx.params.id!, o),
    },
  ]),
  {
    method: "POST",
    pattern: ["{index}", "_doc"],
    params: indexWriteParams,
    prepare: (ctx: HandlerContext) => writeOptions(ctx, true),
    run: (ctx: HandlerContext, o: WriteOptions) => indexDoc(ctx, autoId(), o),
  },
  {
    method: "GET",
    pattern: ["{index}", "_doc", "{id}"],
    params: () => [
      "realtime",
      "refresh",
      "routing",
      "preference",
      "_source",
      "_source_includes",
      "_source_excludes",
      "stored_fields",
      "version",
      "version_type",
    ],
    run: getDoc,
  },
  {
    method: "HEAD",
    pattern: ["{index}", "_doc", "{id}"],
    params: () => ["realtime", "refresh", "routing", "preference"],
    run: (ctx) => {
      const index = ctx.store.indices.get(ctx.params.index!);
      return { status: index?.docs.has(ctx.params.id!) ? 200 : 404 };
    },
  },
  {
    method: "DELETE",
    pattern: ["{index}", "_doc", "{id}"],
    params: () => [
      "if_seq_no",
      "if_primary_term",
      "refresh",
      "routing",
      "timeout",
      "version",
      "version_type",
      "wait_for_active_shards",
    ],
    prepare: (ctx: HandlerContext) => checkRefresh(ctx),
    run: deleteDoc,
  },
  // Ingest pipelines
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
