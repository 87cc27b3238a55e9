/**
 * The index routes: create, exists, get, delete, mappings (one index, several, or all) and `_refresh`. Mappings
 * keep `semantic_text` fields as the server stores them (their `inference_id` written in, model settings recorded
 * by the first document); mappings that name a missing inference endpoint are accepted, as the server accepts them
 * (the endpoint must exist only when a document is indexed).
 */
import { getIndex, newIndex, SHARDS, validateIndexName } from "./documents";
import { EsError, indexNotFound } from "./errors";
import type { EsResponse, HandlerContext, Route } from "./http-types";
import { ok } from "./http-types";
import { clone, isPlainObject } from "./json";
import { boolParam } from "./params";
import { withSemanticTextDefaults } from "./semantic-text";
import type { IndexState } from "./store";

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

/** PUT `_mapping`: new fields are added; the body's other top-level keys replace the index's. */
function putMapping(ctx: HandlerContext): EsResponse {
  const index = getIndex(ctx.store, ctx.params.index!);
  const body = ctx.req.body;
  if (!isPlainObject(body)) throw new EsError(400, "parse_exception", "request body is required");
  const { properties: added, ...rest } = clone(body);
  const properties = new Map(Object.entries(isPlainObject(index.mappings.properties) ? index.mappings.properties : {}));
  if (isPlainObject(added)) for (const [name, field] of Object.entries(added)) properties.set(name, field);
  const mappings = new Map(Object.entries(index.mappings));
  for (const [key, value] of Object.entries(rest)) mappings.set(key, value);
  mappings.set("properties", Object.fromEntries(properties));
  index.mappings = withSemanticTextDefaults(Object.fromEntries(mappings));
  ctx.store.save();
  return ok({ acknowledged: true });
}

/**
 * The indices an expression names (`a,b`, `logs-*`, `_all`, `*`), in the order given, as IndexNameExpressionResolver
 * resolves them for GET `_mapping`: a missing concrete index is 404 unless `ignore_unavailable`; a wildcard that
 * matches nothing is fine unless `allow_no_indices=false`.
 */
function resolveIndices(ctx: HandlerContext, expression: string | undefined): IndexState[] {
  const ignoreUnavailable = boolParam(ctx.req.query, "ignore_unavailable") ?? false;
  const allowNoIndices = boolParam(ctx.req.query, "allow_no_indices") ?? true;
  const all = [...ctx.store.indices.values()];
  const found = new Map<string, IndexState>();
  for (const part of (expression ?? "_all").split(",").filter((p) => p !== "")) {
    if (part === "_all" || part.includes("*")) {
      const pattern = new RegExp(
        `^${part === "_all" ? ".*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`,
      );
      const matched = all.filter((i) => pattern.test(i.name) && !i.name.startsWith("."));
      if (matched.length === 0 && !allowNoIndices) throw indexNotFound(part);
      for (const index of matched) found.set(index.name, index);
      continue;
    }
    const index = ctx.store.indices.get(part);
    if (index) found.set(index.name, index);
    else if (!ignoreUnavailable) throw indexNotFound(part);
  }
  return [...found.values()];
}

function getMappings(ctx: HandlerContext): EsResponse {
  const indices = resolveIndices(ctx, ctx.params.index);
  return ok(Object.fromEntries(indices.map((i) => [i.name, { mappings: clone(i.mappings) }])));
}

function getIndexInfo(ctx: HandlerContext): EsResponse {
  const index = getIndex(ctx.store, ctx.params.index!);
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

/** `_refresh`: writes are realtime here already; answers with the shards of the indices named. */
function refresh(ctx: HandlerContext): EsResponse {
  const count = resolveIndices(ctx, ctx.params.index).length;
  return ok({ _shards: { total: SHARDS.total * count, successful: SHARDS.successful * count, failed: 0 } });
}

const RESOLVE_PARAMS = ["ignore_unavailable", "allow_no_indices", "expand_wildcards"];

export const INDEX_ROUTES: readonly Route<any>[] = [
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
    params: () => ["timeout", "master_timeout", ...RESOLVE_PARAMS],
    run: (ctx) => {
      getIndex(ctx.store, ctx.params.index!);
      ctx.store.indices.delete(ctx.params.index!);
      ctx.store.save();
      return ok({ acknowledged: true });
    },
  },
  {
    method: "GET",
    pattern: ["{index}", "_mapping"],
    params: () => ["master_timeout", "local", ...RESOLVE_PARAMS],
    run: getMappings,
  },
  {
    method: "GET",
    pattern: ["_mapping"],
    params: () => ["master_timeout", "local", ...RESOLVE_PARAMS],
    run: getMappings,
  },
  { method: "PUT", pattern: ["{index}", "_mapping"], params: () => ["timeout", "master_timeout"], run: putMapping },
  ...(["GET", "POST"] as const).flatMap((method) => [
    { method, pattern: ["{index}", "_refresh"], params: () => RESOLVE_PARAMS, run: refresh },
    { method, pattern: ["_refresh"], params: () => RESOLVE_PARAMS, run: refresh },
  ]),
];
