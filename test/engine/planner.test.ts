/**
 * The planner as a pure function: declarations, live endpoints and state in; one action per endpoint and the
 * field changes behind it out. Covers normalization (no perpetual diffs), in-place versus replace by version,
 * secrets by fingerprint, ownership.
 */
import { MAIN_VERSION } from "../../lib/catalogue";
import type { InferenceEndpoint } from "../../lib/client";
import { computePlan, declaredEndpoints, type LiveState, type StackState } from "../../lib/engine";
import { canonicalJson, validateRequest } from "../../lib/model";
import type { Claim } from "../../lib/engine/ownership/claims";
import { minimalRequest } from "../helpers/minimal";

type Req = Record<string, any>;

const stackOf = (requests: Req[]) =>
  declaredEndpoints({
    name: "s",
    cluster: {},
    endpoints: requests.map((r) => validateRequest(r).endpoint!),
    absent: [],
    state: { backend: "file" },
    baseDir: "/",
  });

function liveState(endpoints: InferenceEndpoint[], version = "9.1.0"): LiveState {
  return {
    info: { version, serverless: false, clusterName: "c", clusterUuid: "uuid-1" },
    url: "http://es",
    endpoints: new Map(endpoints.map((e) => [e.inference_id, e])),
  };
}

/** What Elasticsearch returns for a declaration: canonical form without secrets, plus computed values. */
function echo(
  request: Req,
  extra: {
    service_settings?: Record<string, unknown>;
    task_settings?: Record<string, unknown>;
    chunking_settings?: unknown;
  } = {},
): InferenceEndpoint {
  const [d] = stackOf([request]);
  const c = JSON.parse(canonicalJson(d!.canonical));
  for (const k of Object.keys(c.service_settings))
    if (c.service_settings[k]?.env || c.service_settings[k]?.file) delete c.service_settings[k];
  const e: Record<string, unknown> = {
    inference_id: c.inference_id,
    task_type: c.task_type,
    service: c.service,
    service_settings: { ...c.service_settings, ...extra.service_settings },
  };
  if (Object.keys({ ...c.task_settings, ...extra.task_settings }).length)
    e.task_settings = { ...c.task_settings, ...extra.task_settings };
  if (extra.chunking_settings !== undefined || c.chunking_settings)
    e.chunking_settings = extra.chunking_settings ?? c.chunking_settings;
  return e as InferenceEndpoint;
}

function stateOwning(requests: Req[], fingerprints: Record<string, Record<string, string>> = {}): StackState {
  const state: StackState = { format_version: 2, stack: "s", lineage: "l", serial: 3, salt: "salt", endpoints: {} };
  for (const d of stackOf(requests))
    state.endpoints[d.canonical.inference_id] = {
      task_type: d.canonical.task_type,
      service: d.canonical.service,
      status: "applied",
      declared: JSON.parse(canonicalJson(d.canonical)),
      secrets: fingerprints[d.canonical.inference_id] ?? {},
      updated_at: "t",
    };
  return state;
}

const FP = "hmac-sha256:aaaa";
/** No stack claims anything (the cluster before any apply with claims). */
const NO_CLAIMS = { claims: new Map(), owner: { stack: "s", lineage: "lineage-s" } };
function plan(
  declared: Req[],
  live: InferenceEndpoint[],
  state: StackState,
  options: {
    version?: string;
    fps?: Record<string, string>;
    absent?: string[];
    claims?: Map<string, Claim>;
  } = {},
) {
  const d = stackOf(declared);
  const secrets = new Map(
    d.map((x) => [
      x.canonical.inference_id,
      {
        fingerprints: Object.fromEntries(
          Object.keys(x.canonical.service_settings)
            .filter((k) => k === "api_key" || k.endsWith("_key"))
            .map((k) => [`service_settings.${k}`, options.fps?.[k] ?? FP]),
        ),
        unresolved: {},
      },
    ]),
  );
  return computePlan({
    stack: "s",
    declared: d,
    absent: options.absent ?? [],
    live: liveState(live, options.version),
    state,
    secrets,
    esinferVersion: "test",
    ...NO_CLAIMS,
    ...(options.claims ? { claims: options.claims } : {}),
  });
}

const openai = () => ({ ...minimalRequest("openai", "text_embedding"), inference_id: "emb" }) as Req;
const fps = { emb: { "service_settings.api_key": FP } };

test("create when the endpoint is not in the cluster, with every declared field", () => {
  const { plan: p, errors } = plan([openai()], [], stateOwning([]));
  expect(errors).toEqual([]);
  expect(p.endpoints).toEqual([
    expect.objectContaining({ inference_id: "emb", action: "create", reasons: ["not in the cluster"] }),
  ]);
  expect(p.endpoints[0]!.changes).toEqual(
    expect.arrayContaining([
      { path: "service_settings.model_id", after: "text-embedding-3-small", sensitive: false },
      { path: "service_settings.api_key", after: "(sensitive)", sensitive: true, reference: "OPENAI_KEY" },
      { path: "service_settings.rate_limit.requests_per_minute", after: 3000, sensitive: false },
    ]),
  );
  expect(p.summary).toMatchObject({ create: 1, "no-op": 0 });
});

test("no change when the cluster echoes the declaration with computed values, defaults and read-only keys", () => {
  const live = echo(openai(), {
    service_settings: {
      dimensions: 1536,
      similarity: "dot_product",
      dimensions_set_by_user: false,
      some_future_field: 1,
    },
  });
  const { plan: p } = plan([openai()], [live], stateOwning([openai()], fps));
  expect(p.endpoints.map((e) => [e.inference_id, e.action, e.changes])).toEqual([["emb", "no-op", []]]);
});

test("a task setting change is an update in place; removing one is a replace", () => {
  const declared = { ...openai(), task_settings: { user: "new" } };
  const live = echo({ ...openai(), task_settings: { user: "old" } });
  const update = plan([declared], [live], stateOwning([declared], fps)).plan.endpoints[0]!;
  expect(update.action).toBe("update");
  expect(update.changes).toEqual([{ path: "task_settings.user", before: "old", after: "new", sensitive: false }]);

  const removed = plan([openai()], [live], stateOwning([{ ...openai(), task_settings: { user: "old" } }], fps)).plan
    .endpoints[0]!;
  expect(removed.action).toBe("replace");
  expect(removed.changes).toEqual([
    {
      path: "task_settings.user",
      before: "old",
      sensitive: false,
      forces_replace: "_update merges task settings: it cannot remove a key",
    },
  ]);
  expect(removed.reasons).toEqual(["task_settings.user: _update merges task settings: it cannot remove a key"]);
});

test("a model change is a replace, naming the field (Elasticsearch would silently ignore it in _update)", () => {
  const declared = {
    ...openai(),
    service_settings: { ...openai().service_settings, model_id: "text-embedding-3-large" },
  };
  const e = plan([declared], [echo(openai())], stateOwning([openai()], fps)).plan.endpoints[0]!;
  expect(e.action).toBe("replace");
  expect(e.changes).toEqual([
    expect.objectContaining({
      path: "service_settings.model_id",
      before: "text-embedding-3-small",
      after: "text-embedding-3-large",
      forces_replace: "_update on Elasticsearch 9.1.0 does not change service_settings.model_id",
    }),
  ]);
});

test("an out-of-band change of service settings is detected", () => {
  const live = echo(openai(), { service_settings: { dimensions: 256, organization_id: "someone-else" } });
  const declared = { ...openai(), service_settings: { ...openai().service_settings, dimensions: 512 } };
  const e = plan([declared], [live], stateOwning([declared], fps)).plan.endpoints[0]!;
  expect(e.changes.map((c) => [c.path, c.before, c.after])).toEqual([
    ["service_settings.dimensions", 256, 512],
    ["service_settings.organization_id", "someone-else", undefined],
  ]);
  expect(e.action).toBe("replace");
});

test.each([
  ["num_allocations", "8.18.0", { num_allocations: 2 }, "update"],
  [
    "adaptive_allocations before 9.1",
    "9.0.4",
    { num_allocations: undefined, adaptive_allocations: { enabled: true, max_number_of_allocations: 4 } },
    "replace",
  ],
  [
    "adaptive_allocations from 9.1",
    "9.1.0",
    { num_allocations: undefined, adaptive_allocations: { enabled: true, max_number_of_allocations: 4 } },
    "update",
  ],
])("in-cluster allocations: %s on %s", (_n, version, change, action) => {
  const base = { ...minimalRequest("elasticsearch", "sparse_embedding"), inference_id: "elser" } as Req;
  const before = {
    ...base,
    service_settings: {
      ...base.service_settings,
      adaptive_allocations: { enabled: true, max_number_of_allocations: 2 },
      num_allocations: undefined,
    },
  };
  const startFrom = "num_allocations" in change && change.num_allocations === 2 ? base : before;
  const declared = { ...base, service_settings: { ...base.service_settings, ...change } };
  for (const k of Object.keys(declared.service_settings))
    if (declared.service_settings[k] === undefined) delete declared.service_settings[k];
  for (const k of Object.keys(startFrom.service_settings))
    if (startFrom.service_settings[k] === undefined) delete startFrom.service_settings[k];
  const live = echo(startFrom, { service_settings: { deployment_id: "elser" } });
  expect(plan([declared], [live], stateOwning([startFrom]), { version }).plan.endpoints[0]!.action).toBe(action);
});

test("chunking changes: replace before 9.5, update in place from 9.5 (the registry's update.chunking_settings)", () => {
  const declared = { ...openai(), chunking_settings: { strategy: "word", max_chunk_size: 100, overlap: 10 } };
  const live = echo(openai());
  const old = plan([declared], [live], stateOwning([openai()], fps), { version: "9.4.0" }).plan.endpoints[0]!;
  expect(old.action).toBe("replace");
  expect(old.changes[0]!.forces_replace).toContain("_update accepts chunking_settings only from Elasticsearch 9.5.0");
  expect(
    plan([declared], [live], stateOwning([openai()], fps), { version: MAIN_VERSION }).plan.endpoints[0]!.action,
  ).toBe("update");
});

test("undeclared chunking accepts the default of any era; declared chunking does not", () => {
  const legacy = echo(openai(), { chunking_settings: { strategy: "word", max_chunk_size: 250, overlap: 100 } });
  expect(plan([openai()], [legacy], stateOwning([openai()], fps)).plan.endpoints[0]!.action).toBe("no-op");
  const declared = { ...openai(), chunking_settings: { strategy: "sentence", max_chunk_size: 250 } };
  expect(plan([declared], [legacy], stateOwning([declared], fps)).plan.endpoints[0]!.action).toBe("replace");
});

test("secret rotation: an update in place, shown as (sensitive), detected by fingerprint only", () => {
  const e = plan([openai()], [echo(openai())], stateOwning([openai()], fps), { fps: { api_key: "hmac-sha256:bbbb" } })
    .plan.endpoints[0]!;
  expect(e.action).toBe("update");
  expect(e.changes).toEqual([
    {
      path: "service_settings.api_key",
      before: "(sensitive)",
      after: "(sensitive)",
      sensitive: true,
      reference: "OPENAI_KEY",
    },
  ]);
  expect(JSON.stringify(e)).not.toContain("bbbb".repeat(2));
});

test("an imported secret (no fingerprint yet) is not a change, but a warning", () => {
  const e = plan([openai()], [echo(openai())], stateOwning([openai()])).plan.endpoints[0]!;
  expect(e.action).toBe("no-op");
  expect(e.warnings).toEqual([
    "service_settings.api_key: not verified (the endpoint was imported); the next apply that sends it records it",
  ]);
});

test("enums compare as the server parses them (Bedrock echoes the provider upper-case)", () => {
  const bedrock = { ...minimalRequest("amazonbedrock", "text_embedding"), inference_id: "titan" } as Req;
  const live = echo(bedrock, { service_settings: { provider: "AMAZONTITAN" } });
  expect(
    plan([bedrock], [live], stateOwning([bedrock])).plan.endpoints[0]!.changes.filter((c) => !c.sensitive),
  ).toEqual([]);
});

test("a service or task type change replaces the endpoint", () => {
  const cohere = { ...minimalRequest("cohere", "text_embedding"), inference_id: "emb" } as Req;
  const e = plan([cohere], [echo(openai())], stateOwning([openai()], fps)).plan.endpoints[0]!;
  expect(e.action).toBe("replace");
  expect(e.reasons).toEqual(["service changes (an endpoint's service cannot change)"]);
});

test("ownership: removed declarations are deleted, foreign endpoints are refused, unmanaged ones left alone", () => {
  const other = { ...minimalRequest("cohere", "rerank"), inference_id: "rerank" } as Req;
  const stranger = { ...minimalRequest("mistral", "completion"), inference_id: "stranger" } as Req;
  const { plan: p, errors } = plan([], [echo(openai()), echo(other), echo(stranger)], stateOwning([openai()], fps));
  expect(errors).toEqual([]);
  expect(p.endpoints.map((e) => [e.inference_id, e.action, e.reasons])).toEqual([
    ["emb", "delete", ["removed from the declarations"]],
  ]);
  expect(p.warnings).toEqual([
    "2 endpoints in the cluster are not managed by this stack and left alone: rerank, stranger",
  ]);

  const clash = plan([other], [echo(other)], stateOwning([]));
  expect(clash.errors).toEqual([
    expect.objectContaining({
      endpoint: "rerank",
      message: expect.stringContaining("is not managed by stack s; adopt it with `esinfer import rerank`"),
    }),
  ]);
});

test("declared absent: deleted when present, whoever made it; preconfigured endpoints are never touched", () => {
  const stranger = { ...minimalRequest("mistral", "completion"), inference_id: "stranger" } as Req;
  const { plan: p } = plan([], [echo(stranger)], stateOwning([]), { absent: ["stranger", "gone-already"] });
  expect(p.endpoints.map((e) => [e.inference_id, e.action, e.reasons])).toEqual([
    ["stranger", "delete", ["declared absent"]],
  ]);
});

test("state entries gone from both sides are forgotten with a note; an interrupted create is retried", () => {
  const state = stateOwning([openai()], fps);
  expect(plan([], [], state).plan.warnings[0]).toContain(
    "emb: in the stack's state but neither declared nor in the cluster; it will be forgotten",
  );
  state.endpoints.emb!.status = "creating";
  expect(plan([openai()], [], state).plan.endpoints[0]!.reasons).toEqual(["an earlier create did not complete"]);
});

test("clusters older than 8.18, and a state that belongs to another cluster, are errors", () => {
  expect(plan([openai()], [], stateOwning([]), { version: "8.17.3" }).errors).toEqual([
    expect.objectContaining({
      endpoint: "cluster",
      message: "Elasticsearch 8.17.3 is older than 8.18.0, the oldest version esinfer manages",
    }),
  ]);
  const state = { ...stateOwning([openai()]), cluster_uuid: "another" };
  expect(plan([openai()], [], state).errors[0]!.message).toContain(
    "the stack's state belongs to cluster another, but this cluster is uuid-1",
  );
  // A state that owns nothing any more may move to another cluster.
  expect(plan([openai()], [], { ...stateOwning([]), cluster_uuid: "another" }).errors).toEqual([]);
});

test("a scoped plan covers only its endpoints: nothing else is planned, deleted or forgotten", () => {
  const other = { ...minimalRequest("cohere", "rerank"), inference_id: "rr" } as Req;
  const gone = { ...minimalRequest("cohere", "rerank"), inference_id: "gone" } as Req;
  const emb = { ...openai(), task_settings: { user: "search" } };
  const state = stateOwning([emb, other, gone], {
    emb: { "service_settings.api_key": FP },
    rr: { "service_settings.api_key": FP },
  });
  const live = [echo(emb, { task_settings: { user: "drifted" } }), echo(other), echo(gone)];
  const d = stackOf([emb, other]);
  const secrets = new Map(
    d.map((x) => [x.canonical.inference_id, { fingerprints: { "service_settings.api_key": FP }, unresolved: {} }]),
  );
  const scoped = (scope: { only?: string[]; except?: string[] }, absent: string[] = []) =>
    computePlan({
      stack: "s",
      declared: d,
      absent,
      live: liveState(live),
      state,
      secrets,
      esinferVersion: "t",
      scope,
      ...NO_CLAIMS,
    }).plan;
  // `only`: the Terraform reconcile hook of one endpoint.
  const one = scoped({ only: ["emb"] });
  expect(one.endpoints.map((e) => [e.inference_id, e.action])).toEqual([["emb", "update"]]);
  expect(one.scope).toEqual({ only: ["emb"] });
  expect(one.warnings).toEqual([]);
  // `except`: the prune hook, which must not touch what the stack still declares elsewhere.
  const prune = computePlan({
    stack: "s",
    declared: [],
    absent: [],
    live: liveState(live),
    state,
    secrets: new Map(),
    esinferVersion: "t",
    scope: { except: ["emb", "rr"] },
    ...NO_CLAIMS,
  }).plan;
  expect(prune.endpoints.map((e) => [e.inference_id, e.action])).toEqual([["gone", "delete"]]);
  // Unscoped, the same inputs plan everything.
  expect(
    scoped({})
      .endpoints.map((e) => e.action)
      .sort(),
  ).toEqual(["delete", "no-op", "update"]);
});

test("unresolvable secrets never stop a plan: a warning where apply would need them, rotation not checked", () => {
  const d = stackOf([openai()]);
  const secrets = new Map([
    [
      "emb",
      { fingerprints: {}, unresolved: { "service_settings.api_key": "environment variable OPENAI_KEY is not set" } },
    ],
  ]);
  const create = computePlan({
    stack: "s",
    declared: d,
    absent: [],
    live: liveState([]),
    state: stateOwning([]),
    secrets,
    esinferVersion: "t",
    ...NO_CLAIMS,
  });
  expect(create.errors).toEqual([]);
  expect(create.plan.endpoints[0]!.warnings).toEqual([
    "service_settings.api_key: environment variable OPENAI_KEY is not set; apply needs it to create the endpoint",
  ]);
  const steady = computePlan({
    stack: "s",
    declared: d,
    absent: [],
    live: liveState([echo(openai())]),
    state: stateOwning([openai()], fps),
    secrets,
    esinferVersion: "t",
    ...NO_CLAIMS,
  });
  expect(steady.errors).toEqual([]);
  expect(steady.plan.endpoints[0]!.warnings[0]).toContain(
    "rotation not checked: environment variable OPENAI_KEY is not set",
  );
});

describe("ownership: one owner per endpoint", () => {
  const claim = (id: string, stack: string, lineage = `lineage-${stack}`): Claim => ({
    inferenceId: id,
    stack,
    lineage,
    claimedAt: "2026-12-01T00:00:00.000Z",
    seqNo: 1,
    primaryTerm: 1,
  });

  test("an endpoint another stack owns is a conflict naming it, never a create or an adoption", () => {
    for (const live of [[], [echo(openai())]]) {
      const { errors } = plan([openai()], live, stateOwning([]), {
        claims: new Map([["emb", claim("emb", "team-a")]]),
      });
      expect(errors).toEqual([
        {
          endpoint: "emb",
          path: "inference_id",
          message:
            "is owned by stack team-a: an endpoint has one owner, and stack s changes nothing of it. Remove it from " +
            "this stack, or move its ownership here with `esinfer import emb --from-stack team-a` (stack team-a's " +
            "next plan then forgets it)",
        },
      ]);
    }
  });

  test("the same stack name with another state (a lost state file) is a conflict too, and says so", () => {
    const { errors } = plan([openai()], [echo(openai())], stateOwning([openai()], fps), {
      claims: new Map([["emb", claim("emb", "s", "old-lineage")]]),
    });
    expect(errors[0]!.message).toMatch(/^is owned by stack s with another state \(lineage old-lineage, claimed /);
  });

  test("an owned endpoint whose ownership moved to another stack is forgotten, not deleted", () => {
    const { plan: p, errors } = plan([], [echo(openai())], stateOwning([openai()], fps), {
      claims: new Map([["emb", claim("emb", "team-b")]]),
    });
    expect(errors).toEqual([]);
    expect(p.endpoints).toEqual([]);
    expect(p.warnings).toContain(
      "emb: now owned by stack team-b (its ownership was moved there); this stack forgets it and deletes nothing",
    );
  });

  test("an endpoint imported but not declared yet is kept, never deleted", () => {
    const state = stateOwning([openai()], fps);
    state.endpoints["emb"] = { ...state.endpoints["emb"]!, status: "imported", secrets: {} };
    const { plan: p, errors } = plan([], [echo(openai())], state, { claims: new Map([["emb", claim("emb", "s")]]) });
    expect(errors).toEqual([]);
    expect(p.endpoints).toEqual([]);
    expect(p.warnings[0]).toMatch(/^emb: imported but not declared yet: it is kept, never deleted/);
  });

  test("a create whose outcome was lost: adopted only if the cluster holds what was sent", () => {
    const sent = stateOwning([openai()], fps);
    sent.endpoints["emb"] = { ...sent.endpoints["emb"]!, status: "creating" };
    // What was sent: the next plan adopts it and compares it with the declaration as usual (the secret too: the
    // intent recorded the fingerprint of what it sent).
    const adopted = plan([openai()], [echo(openai())], sent);
    expect(adopted.errors).toEqual([]);
    expect(adopted.plan.endpoints.map((e) => e.action)).toEqual(["no-op"]);
    const rotated = plan([openai()], [echo(openai())], sent, { fps: { api_key: "hmac-sha256:bbbb" } });
    expect(rotated.plan.endpoints.map((e) => e.action)).toEqual(["update"]);
    // Someone else's endpoint under the id: a conflict, nothing planned for it.
    const other = { ...openai(), service_settings: { ...openai().service_settings, model_id: "someone-elses" } } as Req;
    const taken = plan([openai()], [echo(other)], sent);
    expect(taken.plan.endpoints).toEqual([]);
    expect(taken.errors[0]!.message).toMatch(
      /^exists in the cluster, but not as stack s sent it in a create whose outcome was lost \(service_settings\.model_id differs\): someone else created it/,
    );
    // Undeclared since: forgotten, not deleted.
    const forgotten = plan([], [echo(other)], sent);
    expect(forgotten.plan.endpoints).toEqual([]);
    expect(forgotten.plan.warnings[0]).toMatch(/^emb: an earlier create of it had a lost outcome/);
  });

  test("a replace interrupted before its delete: the endpoint found is the one being replaced, replaced again", () => {
    const state = stateOwning([openai()], fps);
    const grown = { ...openai(), service_settings: { ...openai().service_settings, dimensions: 256 } } as Req;
    const intent = stateOwning([grown], fps).endpoints["emb"]!;
    state.endpoints["emb"] = {
      ...intent,
      status: "creating",
      previous: { declared: state.endpoints["emb"]!.declared },
    };
    const { plan: p, errors } = plan([grown], [echo(openai())], state);
    expect(errors).toEqual([]);
    expect(p.endpoints.map((e) => e.action)).toEqual(["replace"]);
    // Without the record of what it replaces, the same cluster would look like someone else's endpoint.
    const { previous: _p, ...bare } = state.endpoints["emb"]!;
    state.endpoints["emb"] = bare;
    expect(plan([grown], [echo(openai())], state).errors[0]!.message).toMatch(
      /^exists in the cluster, but not as stack s sent it/,
    );
  });

  test("a tombstone never deletes what another stack owns", () => {
    const { errors, plan: p } = plan([], [echo(openai())], stateOwning([]), {
      absent: ["emb"],
      claims: new Map([["emb", claim("emb", "team-a")]]),
    });
    expect(p.endpoints).toEqual([]);
    expect(errors[0]).toMatchObject({ endpoint: "emb", path: "absent" });
    expect(errors[0]!.message).toMatch(/^is declared absent, but stack team-a owns it: only its owner deletes it/);
  });
});
