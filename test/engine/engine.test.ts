/**
 * The plan engine end to end against the emulator, at each emulated version: every action kind, no changes after
 * apply and after import, secret rotation, out-of-band changes, removed task settings, endpoints in use, stale
 * saved plans, partial failure and re-run, concurrent applies, and a canary secret that leaks nowhere.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { MAIN_VERSION } from "../../lib/catalogue";
import { PlanError, StalePlanError, StateLockedError, hasChanges, type Plan } from "../../lib/engine";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { endpointDigest } from "../../lib/engine/live-digest";
import { elser, embeddings, rerank } from "../helpers/endpoints";
import { makeStack, session, tempDir } from "../helpers/stack";

const CANARY = "sk-CANARY-1b2c3d-never-leak";
const ROTATED = "sk-CANARY-rotated-9z8y";

const env = { OPENAI_API_KEY: CANARY, COHERE_API_KEY: `${CANARY}-cohere` };
const actions = (plan: Plan) => Object.fromEntries(plan.endpoints.map((e) => [e.inference_id, e.action]));

describe.each(["8.18.4", "9.1.3", MAIN_VERSION])("Elasticsearch %s", (esVersion) => {
  let emu: Emulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({ esVersion });
  });
  afterAll(() => emu.stop());
  beforeEach(() => {
    emu.reset();
    dir = tempDir();
  });

  const open = (endpoints: unknown[], extra: { absent?: string[]; env?: Record<string, string> } = {}) =>
    session(
      makeStack(emu.url, endpoints, { baseDir: dir, ...(extra.absent ? { absent: extra.absent } : {}) }),
      extra.env ?? env,
    );

  test("create, then no changes; update in place, replace and delete as declarations change", async () => {
    const s1 = open([elser(), embeddings(), rerank()]);
    const first = await s1.plan();
    expect(actions(first)).toEqual({ elser: "create", emb: "create", rerank: "create" });
    expect(
      emu.requests
        .list()
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual(["GET /", "GET /_inference/_all", "POST /esinfer-state/_mget"]); // the claims, one request
    const applied = await s1.apply({ autoApprove: true } as never);
    expect(applied.result!.failed).toBe(0);
    expect((await s1.plan()).summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, "no-op": 3 });
    await s1.close();

    emu.requests.clear();
    const s2 = open([
      elser({ service_settings: { model_id: ".elser_model_2", num_threads: 1, num_allocations: 2 } }),
      embeddings({ task_settings: { user: "ingest" } }),
      rerank({ service_settings: { model_id: "rerank-v4.0", api_key: { env: "COHERE_API_KEY" } } }),
    ]);
    const second = await s2.plan();
    expect(actions(second)).toEqual({ elser: "update", emb: "update", rerank: "replace" });
    expect(second.endpoints.find((e) => e.inference_id === "rerank")!.changes[0]).toMatchObject({
      path: "service_settings.model_id",
      forces_replace: expect.stringContaining("does not change service_settings.model_id"),
    });
    expect(emu.requests.list({ method: "DELETE" }).map((r) => r.query)).toEqual([{ dry_run: "true" }]); // references only for the replace
    await s2.apply({});
    expect(
      emu.requests
        .list({ method: "PUT", path: /_update$/ })
        .map((r) => r.path)
        .sort(),
    ).toEqual(["/_inference/sparse_embedding/elser/_update", "/_inference/text_embedding/emb/_update"]);
    expect(emu.endpoints().find((e) => e.inference_id === "rerank")!.service_settings.model_id).toBe("rerank-v4.0");
    expect(hasChanges(await s2.plan())).toBe(false);
    await s2.close();

    const s3 = open([elser()].slice(0, 0).concat([embeddings({ task_settings: { user: "ingest" } })] as never[]));
    expect(actions(await s3.plan())).toEqual({ elser: "delete", emb: "no-op", rerank: "delete" });
    await s3.apply({});
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["emb"]);
    expect(hasChanges(await s3.plan())).toBe(false);
    await s3.close();
  });

  test("the state records the digest of what the cluster stored, as a later GET returns it", async () => {
    const s = open([elser(), embeddings(), rerank()]);
    await s.apply({});
    const state = await s.store.read();
    const live = await s.client.listEndpoints();
    for (const id of ["elser", "emb", "rerank"])
      expect(state.endpoints[id]!.live).toBe(endpointDigest(live.find((e) => e.inference_id === id)!));
    // With those digests, an unchanged stack plans no changes; a change on either side is still seen.
    expect(hasChanges(await s.plan())).toBe(false);
    await fetch(`${emu.url}/_inference/rerank/rerank/_update`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task_settings: { top_n: 9 } }),
    });
    expect((await s.plan()).endpoints.find((e) => e.inference_id === "rerank")!.changes).toEqual([
      expect.objectContaining({ path: "task_settings.top_n", before: 9, after: 5 }),
    ]);
    await s.close();
  });

  test("a removed task setting is cleared by a replace; secret rotation is an in-place update", async () => {
    const s = open([embeddings()]);
    await s.apply({});
    await s.close();
    emu.requests.clear();
    const cleared = open([embeddings({ task_settings: undefined })]);
    const plan = await cleared.plan();
    expect(plan.endpoints[0]).toMatchObject({
      action: "replace",
      changes: [{ path: "task_settings.user", before: "search", forces_replace: expect.any(String) }],
    });
    await cleared.apply({});
    expect(emu.endpoints()[0]!.task_settings).toBeUndefined();
    await cleared.close();

    emu.requests.clear();
    const rotated = open([embeddings({ task_settings: undefined })], { env: { ...env, OPENAI_API_KEY: ROTATED } });
    const rotation = await rotated.plan();
    expect(rotation.endpoints[0]).toMatchObject({
      action: "update",
      changes: [{ path: "service_settings.api_key", before: "(sensitive)", after: "(sensitive)", sensitive: true }],
    });
    await rotated.apply({});
    expect(emu.requests.list({ method: "DELETE" })).toEqual([]);
    expect(hasChanges(await rotated.plan())).toBe(false);
    await rotated.close();
  });

  test("in-cluster endpoints: _update as the version takes it, a replace when none can reach the endpoint", async () => {
    const rerankModel = (extra: Record<string, unknown>, task: Record<string, unknown>) => ({
      inference_id: "local-rerank",
      task_type: "rerank",
      service: "elasticsearch",
      service_settings: { model_id: ".rerank-v1", num_threads: 1, ...extra },
      task_settings: task,
    });
    const fixed = open([rerankModel({ num_allocations: 1 }, { return_documents: true })]);
    await fixed.apply({});
    emu.requests.clear();
    const changed = open([rerankModel({ num_allocations: 1 }, { return_documents: false })]);
    const plan = await changed.plan();
    expect(plan.endpoints[0]!.action).toBe("update");
    const { result } = await changed.apply({});
    expect(result!.failed).toBe(0); // before 9.1 the body repeats num_allocations, which the server requires
    expect(emu.requests.list({ method: "DELETE" })).toEqual([]);
    expect(emu.endpoints()[0]!.task_settings).toEqual({ return_documents: false });
    await fixed.close();
    await changed.close();

    emu.reset();
    const adaptive = (task: Record<string, unknown>) =>
      rerankModel(
        { adaptive_allocations: { enabled: true, min_number_of_allocations: 0, max_number_of_allocations: 2 } },
        task,
      );
    const a1 = open([adaptive({ return_documents: true })]);
    await a1.apply({});
    const a2 = open([adaptive({ return_documents: false })]);
    const adaptivePlan = await a2.plan();
    const before91 = esVersion.startsWith("8.") || esVersion.startsWith("9.0");
    expect(adaptivePlan.endpoints[0]!.action).toBe(before91 ? "replace" : "update");
    if (before91)
      expect(adaptivePlan.endpoints[0]!.reasons[0]).toContain(
        "needs num_allocations, and this endpoint has adaptive allocations",
      );
    expect((await a2.apply({})).result!.failed).toBe(0);
    expect(hasChanges(await a2.plan())).toBe(false);
    await a1.close();
    await a2.close();
  });

  test("a field the cluster does not take is an error, not a silent success", async () => {
    const s = open([rerank()]);
    await s.apply({});
    // An update that sends a change `_update` ignores (the catalogue knows better; a hand-edited plan does not).
    const plan = JSON.parse(JSON.stringify(await open([rerank({ task_settings: { top_n: 7 } })]).plan())) as Plan;
    const e = plan.endpoints[0] as unknown as {
      declared: { service_settings: Record<string, unknown> };
      changes: unknown[];
    };
    e.declared.service_settings.model_id = "rerank-v4.0";
    e.changes.push({
      path: "service_settings.model_id",
      before: "rerank-v3.5",
      after: "rerank-v4.0",
      sensitive: false,
    });
    const { result } = await s.apply({ plan });
    if (esVersion === MAIN_VERSION) {
      // main's strict update parsers reject model_id (immutable): the whole update fails and changes nothing.
      expect(emu.endpoints()[0]!.task_settings).toEqual({ top_n: 5 });
      expect(result!.outcomes[0]).toMatchObject({
        status: "failed",
        error: expect.stringContaining("contains settings [{model_id=rerank-v4.0}] unknown to the [cohere] service"),
      });
    } else {
      // Released versions ignore it: reported, and the next plan shows what is still to do.
      expect(emu.endpoints()[0]!.task_settings).toEqual({ top_n: 7 });
      expect(result!.outcomes[0]).toMatchObject({
        status: "failed",
        error: expect.stringContaining(
          'the cluster did not take service_settings.model_id (sent "rerank-v4.0", it stores "rerank-v3.5")',
        ),
      });
      const next = open([
        rerank({
          service_settings: { model_id: "rerank-v4.0", api_key: { env: "COHERE_API_KEY" } },
          task_settings: { top_n: 7 },
        }),
      ]);
      expect((await next.plan()).endpoints[0]!.action).toBe("replace");
      await next.close();
    }
    await s.close();
  });

  test("out-of-band changes are detected and undone", async () => {
    const s = open([rerank()]);
    await s.apply({});
    // Someone changes the task settings and replaces the model behind esinfer's back.
    await fetch(`${emu.url}/_inference/rerank/rerank/_update`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task_settings: { top_n: 50, return_documents: true } }),
    });
    const plan = await s.plan();
    expect(plan.endpoints[0]!.changes.map((c) => [c.path, c.before, c.after, Boolean(c.forces_replace)])).toEqual([
      ["task_settings.top_n", 50, 5, false],
      ["task_settings.return_documents", true, undefined, true],
    ]);
    expect(plan.endpoints[0]!.action).toBe("replace");
    await s.apply({});
    expect(emu.endpoints()[0]!.task_settings).toEqual({ top_n: 5 });
    expect(hasChanges(await s.plan())).toBe(false);
    await s.close();
  });

  test("import refuses, under the lock, what the stack already manages, with every other problem", async () => {
    const s = open([elser()]);
    await s.apply({});
    const serial = (await s.store.read()).serial;
    const refused = await s.import(["elser", "nope"]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlanError);
    expect((refused as PlanError).issues).toEqual([
      {
        endpoint: "elser",
        path: "",
        message: "is already managed by stack test (it is declared there): nothing to import",
      },
      { endpoint: "nope", path: "", message: "is not in the cluster" },
    ]);
    expect((await s.store.read()).serial).toBe(serial);
    await s.close();
  });

  test("import adopts existing endpoints, after which the plan shows no changes", async () => {
    emu.createEndpoint(
      "legacy-emb",
      {
        service: "openai",
        service_settings: { model_id: "text-embedding-3-large", api_key: CANARY },
        task_settings: { user: "x" },
      },
      "text_embedding",
    );
    emu.createEndpoint(
      "legacy-rerank",
      { service: "elasticsearch", service_settings: { model_id: ".rerank-v1", num_threads: 1, num_allocations: 1 } },
      "rerank",
    );
    const s = open([]);
    const result = await s.import(["legacy-emb", "legacy-rerank"]);
    const imported = result.imported;
    expect(imported.map((i) => i.secretEnv)).toEqual([["LEGACY_EMB_API_KEY"], []]);
    // Not declared yet: kept, never deleted, until declared or released.
    expect(result.undeclared).toEqual(["legacy-emb", "legacy-rerank"]);
    const undeclared = await s.plan();
    expect(undeclared.endpoints).toEqual([]);
    expect(undeclared.warnings.filter((w) => w.includes("imported but not declared yet"))).toHaveLength(2);
    // The deployment the server named after the endpoint is not declared (it is the server's to fill in).
    expect(imported[1]!.request.service_settings).toEqual({
      model_id: ".rerank-v1",
      num_threads: 1,
      num_allocations: 1,
    });
    await s.close();
    const adopted = open(
      imported.map((i) => i.request),
      { env: { ...env, LEGACY_EMB_API_KEY: "unknown-to-the-cluster" } },
    );
    const plan = await adopted.plan();
    expect(actions(plan)).toEqual({ "legacy-emb": "no-op", "legacy-rerank": "no-op" });
    expect(plan.endpoints[0]!.warnings[0]).toContain("not verified (the endpoint was imported)");
    await adopted.close();
    await expect(open([]).import([".elser-2-elasticsearch", "nope"])).rejects.toThrow(PlanError);
    // A hand-written declaration may leave out what the server computed (similarity, dimensions): not a removal.
    const {
      dimensions: _d,
      similarity: _s,
      ...handWritten
    } = imported[0]!.request.service_settings as Record<string, unknown>;
    expect(Object.keys(imported[0]!.request.service_settings)).toEqual(
      expect.arrayContaining(["similarity", "dimensions"]),
    );
    const minimal = open([{ ...imported[0]!.request, service_settings: handWritten }, imported[1]!.request], {
      env: { ...env, LEGACY_EMB_API_KEY: "unknown-to-the-cluster" },
    });
    expect(actions(await minimal.plan())).toEqual({ "legacy-emb": "no-op", "legacy-rerank": "no-op" });
    await minimal.close();
  });

  test("endpoints in use are not replaced or deleted unless allowed, then with force", async () => {
    const s = open([embeddings()]);
    await s.apply({});
    await fetch(`${emu.url}/_ingest/pipeline/embed-docs`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        processors: [{ inference: { model_id: "emb", input_output: { input_field: "text", output_field: "vec" } } }],
      }),
    });
    await fetch(`${emu.url}/docs`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mappings: { properties: { body: { type: "semantic_text", inference_id: "emb" } } } }),
    });
    await s.close();
    const changed = open([
      embeddings({
        service_settings: { model_id: "text-embedding-3-large", api_key: { env: "OPENAI_API_KEY" }, dimensions: 256 },
      }),
    ]);
    const plan = await changed.plan();
    const e = plan.endpoints[0]!;
    expect(e).toMatchObject({ action: "replace", references: { pipelines: ["embed-docs"], indexes: ["docs"] } });
    expect(e.warnings).toEqual([
      "in use: pipelines [embed-docs] and indexes [docs]; apply refuses to replace it unless --allow-in-use",
    ]);
    await expect(changed.apply({})).rejects.toThrow(
      "refusing to replace emb (used by pipelines [embed-docs] and indexes [docs])",
    );
    expect(emu.endpoints()[0]!.service_settings.model_id).toBe("text-embedding-3-small");
    emu.requests.clear();
    const notes: string[] = [];
    const { result } = await changed.apply({
      allowInUse: true,
      onEvent: (ev) => ev.kind === "note" && notes.push(ev.message!),
    });
    expect(result!.failed).toBe(0);
    expect(notes).toEqual(["in use by pipelines [embed-docs] and indexes [docs]: sending force=true (--allow-in-use)"]);
    expect(emu.requests.list({ method: "DELETE" }).map((r) => r.query)).toEqual([
      { dry_run: "true" },
      { force: "true" },
    ]);
    await changed.close();
  });

  test("a plan made with a key that may not read what uses an endpoint warns; an apply with it refuses", async () => {
    const s = open([embeddings(), rerank()]);
    await s.apply({});
    await s.close();
    const removed = open([embeddings()]);
    const readOnly = {
      method: "DELETE",
      status: 403,
      type: "security_exception",
      reason: "action [cluster:admin/xpack/inference/delete] is unauthorized for API key id [ro]",
      count: 100,
    } as const;
    emu.faults.error(readOnly);
    const plan = await removed.plan();
    expect(plan.endpoints.map((e) => [e.inference_id, e.action])).toEqual([
      ["emb", "no-op"],
      ["rerank", "delete"],
    ]);
    expect(plan.warnings).toEqual([
      "what uses rerank was not checked: the credentials may not read it (DELETE ?dry_run=true needs the " +
        "manage_inference privilege: action [cluster:admin/xpack/inference/delete] is unauthorized for API key id " +
        "[ro]); apply checks it and refuses to break what uses them",
    ]);
    await expect(removed.apply({})).rejects.toThrow(/403 security_exception/);
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["emb", "rerank"]); // nothing deleted
    await removed.close();
  });

  /** A plan saved as `esinfer plan --out` saves it: sealed with the state's MAC key. */
  const saved = async (s: ReturnType<typeof open>) => ({
    raw: JSON.parse((await s.planToSave()).saved),
    file: "p.json",
  });

  test("a saved plan is refused once the cluster or the state changed", async () => {
    const s = open([embeddings(), rerank()]);
    const plan = await saved(s);
    emu.createEndpoint(
      "rerank",
      { service: "cohere", service_settings: { model_id: "other", api_key: "k" } },
      "rerank",
    );
    await expect(s.apply({ saved: plan })).rejects.toThrow(StalePlanError);
    await expect(s.apply({ saved: plan })).rejects.toThrow("the cluster changed since");
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["rerank"]);
    await s.close();

    emu.reset();
    const t = open([embeddings()]);
    const first = await saved(t);
    await open([rerank()]).apply({}); // another apply of the same stack writes the state meanwhile
    await expect(t.apply({ saved: first })).rejects.toThrow(
      /the stack.s state changed since \(serial 1 then, [2-9]\d* now\)/,
    );
    await t.close();
  });

  test("a saved plan made before the stack had state: the state is written first, the salt never in the plan", async () => {
    const s = open([embeddings(), rerank()]);
    expect((await s.store.read()).serial).toBe(0);
    const plan = await saved(s);
    expect((await s.store.read()).serial).toBe(1); // the key of the plan's MAC lives with the state
    expect(JSON.stringify(plan.raw)).not.toContain((await s.store.read()).salt);
    const { result } = await s.apply({ saved: plan });
    expect(result!.failed).toBe(0);
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["emb", "rerank"]);
    const after = await s.plan();
    expect(after.endpoints.map((e) => e.action)).toEqual(["no-op", "no-op"]);
    await s.close();
  });

  test("a saved plan whose actions no longer follow from the declarations is refused", async () => {
    const s = open([embeddings(), rerank()]);
    const plan = await saved(s);
    const changed = open([embeddings()]); // the manifest changed since the plan was saved
    await expect(changed.apply({ saved: plan })).rejects.toThrow(
      "its actions no longer follow from the declarations and the cluster (rerank was planned as create, and is no longer part of the plan)",
    );
    expect(emu.endpoints()).toEqual([]);
    await s.close();
    await changed.close();
  });

  test("a partial failure reports every endpoint and a re-run converges without duplicates", async () => {
    emu.faults.error({ method: "PUT", path: "/_inference/rerank/rerank", status: 500, count: 100 });
    const s = open([elser(), embeddings(), rerank()]);
    const { result } = await s.apply({});
    expect(result!.outcomes.map((o) => [o.inference_id, o.status])).toEqual([
      ["elser", "ok"],
      ["emb", "ok"],
      ["rerank", "failed"],
    ]);
    expect(result!.outcomes[2]!.error).toContain("500");
    emu.faults.clear();
    const rerun = await s.plan();
    expect(actions(rerun)).toEqual({ elser: "no-op", emb: "no-op", rerank: "create" });
    expect(rerun.endpoints.find((e) => e.inference_id === "rerank")!.reasons).toEqual([
      "an earlier create did not complete",
    ]);
    await s.apply({});
    expect(hasChanges(await s.plan())).toBe(false);
    await s.close();
  });

  test("a create whose response is lost is read back, not sent twice", async () => {
    emu.faults.drop({ method: "PUT", path: "/_inference/text_embedding/emb", afterApply: true, count: 1 });
    const s = open([embeddings()]);
    const { result } = await s.apply({});
    expect(result!.failed).toBe(0);
    expect(emu.requests.list({ method: "PUT" }).length).toBe(1);
    expect(hasChanges(await s.plan())).toBe(false);
    await s.close();
  });

  test("concurrent applies of one stack never interleave: the second fails clearly", async () => {
    emu.faults.latency({ ms: 150, method: "PUT" });
    const a = open([embeddings(), rerank()]);
    const b = open([embeddings(), rerank()]);
    const first = a.apply({});
    // Once the first holds the lock (its file exists), whatever the machine's load.
    const stateDir = join(dir, ".esinfer", "state");
    while (!existsSync(stateDir) || !readdirSync(stateDir).some((f) => f.endsWith(".lock")))
      await new Promise((r) => setTimeout(r, 5));
    await expect(b.apply({})).rejects.toThrow(StateLockedError);
    await first;
    await b.apply({ lockTimeoutMs: 5000 });
    expect(emu.requests.list({ method: "PUT" }).filter((r) => !r.path.endsWith("_update")).length).toBe(2);
    await a.close();
    await b.close();
  });

  test("the canary secret appears in no plan, state file or emulator log", async () => {
    const s = open([embeddings(), rerank()]);
    const plan = await s.plan();
    await s.apply({});
    const rotated = open([embeddings(), rerank()], { env: { ...env, OPENAI_API_KEY: ROTATED } });
    const rotation = await rotated.plan();
    await rotated.apply({});
    const files = readdirSync(join(dir, ".esinfer", "state")).map((f) =>
      readFileSync(join(dir, ".esinfer", "state", f), "utf8"),
    );
    const everything = [
      JSON.stringify(plan),
      JSON.stringify(rotation),
      ...files,
      JSON.stringify(emu.requests.list()),
      JSON.stringify(emu.endpoints()),
    ].join("\n");
    for (const secret of [CANARY, ROTATED]) expect(everything).not.toContain(secret);
    expect(files.join()).toContain("hmac-sha256:");
    await s.close();
    await rotated.close();
  });
});
