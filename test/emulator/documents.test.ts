/** The document APIs for esinfer's own state: create-only writes, optimistic concurrency, _mget and _bulk. */
import { ElasticsearchClient } from "../../lib/client";
import { clientFor, esError, errorOf, raw, useEmulator } from "./helpers";

describe("documents", () => {
  const { em } = useEmulator();

  it("creates (201, auto-creating the index), updates (200), gets and deletes", async () => {
    const c = await raw(em(), "PUT", "/state/_doc/lock?refresh=true", { owner: "a" });
    expect(c.status).toBe(201);
    expect(c.json).toEqual({
      _index: "state",
      _id: "lock",
      _version: 1,
      result: "created",
      forced_refresh: true,
      _shards: { total: 2, successful: 1, failed: 0 },
      _seq_no: 0,
      _primary_term: 1,
    });
    const u = await raw(em(), "POST", "/state/_doc/lock", { owner: "b" });
    expect([u.status, u.json.result, u.json._version, u.json._seq_no]).toEqual([200, "updated", 2, 1]);
    const g = await raw(em(), "GET", "/state/_doc/lock");
    expect(g.json).toEqual({
      _index: "state",
      _id: "lock",
      _version: 2,
      _seq_no: 1,
      _primary_term: 1,
      found: true,
      _source: { owner: "b" },
    });
    const d = await raw(em(), "DELETE", "/state/_doc/lock");
    expect([d.status, d.json.result, d.json._version]).toEqual([200, "deleted", 3]);
    const missing = await raw(em(), "GET", "/state/_doc/lock");
    expect([missing.status, missing.json]).toEqual([404, { _index: "state", _id: "lock", found: false }]);
    const again = await raw(em(), "DELETE", "/state/_doc/lock");
    expect([again.status, again.json.result]).toEqual([404, "not_found"]);
  });

  it("op_type=create on an existing document → 409 version conflict", async () => {
    await raw(em(), "PUT", "/state/_doc/lock?op_type=create", { owner: "a" });
    const res = await raw(em(), "PUT", "/state/_doc/lock?op_type=create", { owner: "b" });
    expect(errorOf(res)).toEqual({
      status: 409,
      type: "version_conflict_engine_exception",
      reason: "[lock]: version conflict, document already exists (current version [1])",
    });
    const viaCreate = await raw(em(), "PUT", "/state/_create/lock", { owner: "c" });
    expect(viaCreate.status).toBe(409);
  });

  it("if_seq_no + if_primary_term: match writes, mismatch and missing documents conflict", async () => {
    const first = (await raw(em(), "PUT", "/state/_doc/plan", { n: 1 })).json;
    const ok = await raw(em(), "PUT", `/state/_doc/plan?if_seq_no=${first._seq_no}&if_primary_term=1`, { n: 2 });
    expect(ok.status).toBe(200);
    const stale = await raw(em(), "PUT", `/state/_doc/plan?if_seq_no=${first._seq_no}&if_primary_term=1`, { n: 3 });
    expect(errorOf(stale)).toEqual({
      status: 409,
      type: "version_conflict_engine_exception",
      reason: `[plan]: version conflict, required seqNo [${first._seq_no}], primary term [1]. current document has seqNo [${ok.json._seq_no}] and primary term [1]`,
    });
    const missing = await raw(em(), "PUT", "/state/_doc/other?if_seq_no=0&if_primary_term=1", { n: 1 });
    expect(errorOf(missing)).toEqual({
      status: 409,
      type: "version_conflict_engine_exception",
      reason: "[other]: version conflict, required seqNo [0], primary term [1]. but no document was found",
    });
    const del = await raw(em(), "DELETE", "/state/_doc/plan?if_seq_no=0&if_primary_term=1");
    expect(del.status).toBe(409);
  });

  it("validates compare-and-set parameters", async () => {
    const res = await raw(em(), "PUT", "/state/_doc/x?if_seq_no=1", { a: 1 });
    expect(errorOf(res)).toEqual({
      status: 400,
      type: "action_request_validation_exception",
      reason: "Validation Failed: 1: ifSeqNo is set, but primary term is [0];",
    });
  });

  it("GET in a missing index → index_not_found_exception", async () => {
    const res = await raw(em(), "GET", "/nope/_doc/1");
    expect(errorOf(res)).toEqual({ status: 404, type: "index_not_found_exception", reason: "no such index [nope]" });
    expect(res.json.error.index).toBe("nope");
  });

  it("works with the official client (index/get/delete, conflicts as ResponseError)", async () => {
    const client = clientFor(em());
    const r = await client.index({ index: "state", id: "k", document: { v: 1 }, op_type: "create", refresh: true });
    expect(r.result).toBe("created");
    const got = await client.get({ index: "state", id: "k" });
    expect(got._source).toEqual({ v: 1 });
    const e = await esError(
      client.index({ index: "state", id: "k", document: { v: 2 }, if_seq_no: 99, if_primary_term: 1 }),
    );
    expect([e.status, e.type]).toEqual([409, "version_conflict_engine_exception"]);
    expect(await client.exists({ index: "state", id: "k" })).toBe(true);
    await client.delete({ index: "state", id: "k" });
    expect(await client.exists({ index: "state", id: "k" })).toBe(false);
    await client.close();
  });

  it("rejects upper-case index names", async () => {
    expect(errorOf(await raw(em(), "PUT", "/State/_doc/1", { a: 1 }))).toEqual({
      status: 400,
      type: "invalid_index_name_exception",
      reason: "Invalid index name [State], must be lowercase",
    });
  });
});

/**
 * `_mget`, `_bulk`, mappings of several indices and `_refresh`, as Elasticsearch answers them (RestMultiGetAction,
 * TransportMultiGetAction, RestBulkAction, BulkRequestParser, TransportBulkAction), driven with esinfer's own client.
 */
describe("documents in bulk", () => {
  const { em } = useEmulator();
  let client: ElasticsearchClient;
  beforeEach(() => {
    client = new ElasticsearchClient({ nodes: [em().url] });
  });
  afterEach(() => client.close());

  it("_mget: realtime, per document found/_seq_no/_primary_term/_source, ids or docs", async () => {
    await raw(em(), "PUT", "/state/_doc/a", { n: 1 });
    await raw(em(), "PUT", "/state/_doc/b", { n: 2 });
    await raw(em(), "PUT", "/state/_doc/a", { n: 3 }); // no refresh: _mget still sees it
    const docs = await client.mgetDocuments("state", ["a", "b", "missing"]);
    expect([...docs.keys()]).toEqual(["a", "b"]);
    expect(docs.get("a")).toEqual({ source: { n: 3 }, seqNo: 2, primaryTerm: 1 });
    const body = (await raw(em(), "POST", "/state/_mget", { ids: ["b", "missing"] })).json;
    expect(body).toEqual({
      docs: [
        { _index: "state", _id: "b", _version: 1, _seq_no: 1, _primary_term: 1, found: true, _source: { n: 2 } },
        { _index: "state", _id: "missing", found: false },
      ],
    });
    const viaDocs = await raw(em(), "POST", "/_mget", { docs: [{ _index: "state", _id: "a" }] });
    expect(viaDocs.json.docs[0]._source).toEqual({ n: 3 });
  });

  it("_mget of a missing index answers each document with index_not_found_exception (status 200)", async () => {
    const res = await raw(em(), "POST", "/nope/_mget", { ids: ["x", "y"] });
    expect(res.status).toBe(200);
    expect(res.json.docs).toHaveLength(2);
    expect(res.json.docs[0]).toEqual({
      _index: "nope",
      _id: "x",
      error: {
        root_cause: [
          {
            type: "index_not_found_exception",
            reason: "no such index [nope]",
            "resource.type": "index_or_alias",
            "resource.id": "nope",
            index_uuid: "_na_",
            index: "nope",
          },
        ],
        type: "index_not_found_exception",
        reason: "no such index [nope]",
        "resource.type": "index_or_alias",
        "resource.id": "nope",
        index_uuid: "_na_",
        index: "nope",
      },
    });
    expect((await client.mgetDocuments("nope", ["x"])).size).toBe(0);
  });

  it("_mget rejects what MultiGetRequest rejects", async () => {
    expect(errorOf(await raw(em(), "POST", "/state/_mget", { ids: [] }))).toEqual({
      status: 400,
      type: "action_request_validation_exception",
      reason: "Validation Failed: 1: no documents to get;",
    });
    expect(errorOf(await raw(em(), "POST", "/state/_mget", { idz: ["a"] }))).toEqual({
      status: 400,
      type: "parse_exception",
      reason: "unknown key [idz] for a START_ARRAY, expected [docs] or [ids]",
    });
    expect(errorOf(await raw(em(), "POST", "/_mget", { ids: ["a"] }))).toEqual({
      status: 400,
      type: "action_request_validation_exception",
      reason: "Validation Failed: 1: index is missing for doc 0;",
    });
  });

  it("_bulk: create, index with if_seq_no/if_primary_term and delete, each with its own status", async () => {
    const first = await client.bulkDocuments("state", [
      { op: "create", id: "lock", source: { owner: "a" } },
      { op: "index", id: "plan", source: { n: 1 } },
    ]);
    expect(first.map((r) => [r.op, r.id, r.status, r.ok, r.seqNo])).toEqual([
      ["create", "lock", 201, true, 0],
      ["index", "plan", 201, true, 1],
    ]);
    const second = await client.bulkDocuments(
      "state",
      [
        { op: "create", id: "lock", source: { owner: "b" } },
        { op: "index", id: "plan", source: { n: 2 }, ifSeqNo: 1, ifPrimaryTerm: 1 },
        { op: "index", id: "plan", source: { n: 3 }, ifSeqNo: 1, ifPrimaryTerm: 1 },
        { op: "delete", id: "gone" },
        { op: "delete", id: "lock", ifSeqNo: 0, ifPrimaryTerm: 1 },
      ],
      { refresh: true },
    );
    expect(second.map((r) => [r.op, r.status, r.ok, r.errorType])).toEqual([
      ["create", 409, false, "version_conflict_engine_exception"],
      ["index", 200, true, undefined],
      ["index", 409, false, "version_conflict_engine_exception"],
      ["delete", 404, false, undefined],
      ["delete", 200, true, undefined],
    ]);
    expect(second[0]!.reason).toBe("[lock]: version conflict, document already exists (current version [1])");
    expect(second[2]!.reason).toBe(
      "[plan]: version conflict, required seqNo [1], primary term [1]. current document has seqNo [2] and primary term [1]",
    );
    const docs = await client.mgetDocuments("state", ["lock", "plan"]);
    expect([...docs.keys()]).toEqual(["plan"]);
    expect(docs.get("plan")!.source).toEqual({ n: 2 });
  });

  it("_bulk answers errors, took and items as the server does, auto-creating the index", async () => {
    const ndjson =
      '{"create":{"_id":"1"}}\n{"a":1}\n{"create":{"_id":"1"}}\n{"a":2}\n{"delete":{"_id":"2"}}\n{"index":{"_index":"other","_id":"x"}}\n{"b":1}\n';
    const res = await raw(em(), "POST", "/fresh/_bulk?refresh=true", ndjson, {
      "content-type": "application/x-ndjson",
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(["errors", "took", "items"]);
    expect(res.json.errors).toBe(true);
    expect(res.json.items[0]).toEqual({
      create: {
        _index: "fresh",
        _id: "1",
        _version: 1,
        result: "created",
        forced_refresh: true,
        _shards: { total: 2, successful: 1, failed: 0 },
        _seq_no: 0,
        _primary_term: 1,
        status: 201,
      },
    });
    expect(res.json.items[1].create).toMatchObject({
      _index: "fresh",
      _id: "1",
      status: 409,
      error: { type: "version_conflict_engine_exception", shard: "0", index: "fresh" },
    });
    expect(res.json.items[1].create.error).not.toHaveProperty("root_cause");
    expect(res.json.items[2].delete).toMatchObject({ result: "not_found", status: 404 });
    expect(res.json.items[3].index).toMatchObject({ _index: "other", result: "created", status: 201 });
    // Without failures: errors false; a delete in a missing index is that item's index_not_found_exception.
    const ok = await raw(em(), "PUT", "/fresh/_bulk", '{"index":{"_id":"9"}}\n{"c":1}\n', {
      "content-type": "application/x-ndjson",
    });
    expect(ok.json.errors).toBe(false);
    const missing = await raw(em(), "POST", "/_bulk", '{"delete":{"_index":"nope","_id":"1"}}\n', {
      "content-type": "application/x-ndjson",
    });
    expect(missing.json.items[0].delete).toMatchObject({ status: 404, error: { type: "index_not_found_exception" } });
    expect((await raw(em(), "HEAD", "/nope")).status).toBe(404);
  });

  it("_bulk rejects malformed requests as a whole, with the parser's texts", async () => {
    const bulk = (body: string) =>
      raw(em(), "POST", "/state/_bulk", body, { "content-type": "application/x-ndjson" }).then(errorOf);
    expect(await bulk('{"index":{"_id":"1"}}\n{"a":1}')).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "The bulk request must be terminated by a newline [\\n]",
    });
    expect(await bulk('{"upsert":{}}\n{}\n')).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason:
        "Malformed action/metadata line [1], expected field [create], [delete], [index] or [update] but found [upsert]",
    });
    expect(await bulk('{"index":{"_id":"1","colour":"red"}}\n{}\n')).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "Action/metadata line [1] contains an unknown parameter [colour]",
    });
    expect(await bulk('{"index":{ },"something":"unexpected"}\n{}\n')).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "Malformed action/metadata line [1], expected END_OBJECT but found [FIELD_NAME]",
    });
    expect(await bulk('{"create":{"_id":"1","if_seq_no":1,"if_primary_term":1}}\n{}\n')).toEqual({
      status: 400,
      type: "action_request_validation_exception",
      reason: "Validation Failed: 1: create operations do not support compare and set. use index instead;",
    });
    expect(await bulk("\n")).toEqual({
      status: 400,
      type: "action_request_validation_exception",
      reason: "Validation Failed: 1: no requests added;",
    });
    expect(await bulk('{"index":{"_id":"1","pipeline":"p"}}\n{}\n')).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "the esinfer emulator does not implement the bulk parameter [pipeline] (line [1])",
    });
    expect((await raw(em(), "HEAD", "/state")).status).toBe(404); // nothing was written
  });

  it("GET /{i1,i2}/_mapping: several indices, 404 naming a missing one unless ignore_unavailable", async () => {
    await raw(em(), "PUT", "/a", { mappings: { properties: { t: { type: "keyword" } } } });
    await raw(em(), "PUT", "/b", { mappings: { properties: { u: { type: "text" } } } });
    const mappings = await client.getMappings(["a", "b"]);
    expect(Object.fromEntries(mappings)).toEqual({
      a: { properties: { t: { type: "keyword" } } },
      b: { properties: { u: { type: "text" } } },
    });
    expect(errorOf(await raw(em(), "GET", "/a,nope/_mapping"))).toEqual({
      status: 404,
      type: "index_not_found_exception",
      reason: "no such index [nope]",
    });
    expect(Object.keys((await raw(em(), "GET", "/a,nope/_mapping?ignore_unavailable=true")).json)).toEqual(["a"]);
    expect(Object.keys((await raw(em(), "GET", "/_mapping")).json).sort()).toEqual(["a", "b"]);
    expect(Object.keys((await raw(em(), "GET", "/_all/_mapping")).json).sort()).toEqual(["a", "b"]);
  });

  it("_refresh: GET or POST, for all indices or named ones", async () => {
    await raw(em(), "PUT", "/a", {});
    await raw(em(), "PUT", "/b", {});
    expect((await raw(em(), "POST", "/_refresh")).json).toEqual({ _shards: { total: 4, successful: 2, failed: 0 } });
    expect((await raw(em(), "GET", "/a/_refresh")).json).toEqual({ _shards: { total: 2, successful: 1, failed: 0 } });
    expect(errorOf(await raw(em(), "POST", "/nope/_refresh")).type).toBe("index_not_found_exception");
  });

  it("rejects ?__proto__= and other unknown query parameters as the server does", async () => {
    expect(errorOf(await raw(em(), "GET", "/state/_doc/1?__proto__=x"))).toEqual({
      status: 400,
      type: "illegal_argument_exception",
      reason: "request [/state/_doc/1] contains unrecognized parameter: [__proto__]",
    });
    expect(errorOf(await raw(em(), "GET", "/_inference/_all?constructor=1")).reason).toBe(
      "request [/_inference/_all] contains unrecognized parameter: [constructor]",
    );
  });
});
