/** The document API for esinfer's own state: create-only writes and optimistic concurrency. */
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
    const e = await esError(client.index({ index: "state", id: "k", document: { v: 2 }, if_seq_no: 99, if_primary_term: 1 }));
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
