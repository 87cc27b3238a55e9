/**
 * Carrying out a plan safely: refuses to replace or delete endpoints in use unless allowed (then sends `force`),
 * records the intent to create (with what will be sent) before claiming the endpoint for the stack and creating it,
 * deletes a replaced endpoint before re-creating it, runs endpoints with bounded concurrency, checks every write
 * against what the cluster stored (the write's response: the server's read-back of the stored configuration), never
 * takes for its own an endpoint someone else created while a create's outcome was unknown, stops starting work
 * when interrupted, and reports every endpoint's outcome even when some fail.
 */
import { EsinferError } from "../errors";
import type { TaskType } from "../catalogue";
import {
  isAlreadyExists,
  isNotFound,
  registerSecretValue,
  supportsCreateTimeout,
  type ElasticsearchClient,
  type InferenceEndpoint,
} from "../client";
import {
  isSecretSetting,
  resolveSecret,
  resolveServiceSettings,
  secretFields,
  type CanonicalEndpoint,
  type SecretSource,
} from "../model";
import { compareEndpoint } from "./compare";
import { inScope, type Action, type EndpointPlan, type FieldChange, type Plan, type References } from "./plan-types";
import { describeReferences } from "./planner";
import { mapLimit } from "./pool";
import type { StateKeeper } from "./state-keeper";
import type { OwnedEndpoint } from "./state/types";
import { endpointDigest } from "./live-digest";
import { updateNeedsNumAllocations } from "./updatability";
import { verifyEndpoint } from "./verify";
import { claimedBy, describeOwner, type Claim, type ClaimRegistry } from "./ownership/claims";

/**
 * One step of an apply. Per endpoint: `start`, then `done` or `failed` for its action (`failed` also when the
 * cluster did not take a field of the write) and, with verification, `start`/`done`/`failed` for `verify`. `note` is information about an endpoint (e.g. `force=true` is sent).
 */
export interface ApplyEvent {
  readonly kind: "start" | "done" | "failed" | "note";
  readonly inferenceId: string;
  readonly action: Action | "verify";
  /** Why it failed (`failed`), what a note says (`note`), a detail of a success (e.g. what verify checked). */
  readonly message?: string;
  /** For `done` and `failed`: how long the step took. */
  readonly durationMs?: number;
}

export interface ApplyOptions {
  /** Endpoints worked on at once (default 8). */
  readonly parallelism?: number;
  /** Replace or delete endpoints that pipelines or indices use (sending `force=true`). */
  readonly allowInUse?: boolean;
  /** Server-side timeout of creates (`timeout` query parameter), where the cluster supports it. */
  readonly createTimeout?: string;
  /** Run one inference against every endpoint created or changed, and check the result's shape. */
  readonly verify?: boolean;
  readonly onEvent?: (event: ApplyEvent) => void;
  /**
   * Graceful interruption: once it fires, no endpoint is started (requests in flight finish); the result then says
   * `interrupted` and lists the endpoints not started.
   */
  readonly stop?: AbortSignal;
  /**
   * Terraform drift markers by inference id (see lib/constructs): recorded in the state for each endpoint that ends
   * the apply as declared.
   */
  readonly markers?: ReadonlyMap<string, string>;
}

export interface EndpointOutcome {
  readonly inference_id: string;
  readonly action: Action;
  /** `not-started`: the run was interrupted before this endpoint's turn; nothing was sent for it. */
  readonly status: "ok" | "failed" | "not-started";
  readonly error?: string;
  readonly durationMs: number;
}

export interface ApplyResult {
  readonly outcomes: EndpointOutcome[];
  readonly failed: number;
  /** Whether the run was interrupted (`stop` fired) before every endpoint was started. */
  readonly interrupted?: boolean;
}

/** An endpoint whose replace or delete was refused because pipelines or `semantic_text` fields use it. */
export interface InUseRefusal {
  readonly inference_id: string;
  readonly action: "replace" | "delete";
  readonly references: References;
}

export class ApplyRefusedError extends EsinferError {
  /** The endpoints refused. */
  readonly endpoints: readonly string[];

  constructor(
    readonly refusals: readonly InUseRefusal[],
    message: string,
  ) {
    super(message, { code: "ESINFER_APPLY_REFUSED" });
    this.endpoints = refusals.map((r) => r.inference_id);
  }
}

export interface ApplyContext {
  readonly client: ElasticsearchClient;
  readonly keeper: StateKeeper;
  readonly secrets: SecretSource;
  /** The cluster's ownership claims, and those read when planning (by inference id). */
  readonly claims: ClaimRegistry;
  readonly knownClaims: ReadonlyMap<string, Claim>;
}

const inUse = (e: EndpointPlan) =>
  Boolean(e.references && (e.references.pipelines.length > 0 || e.references.indexes.length > 0));

export async function applyPlan(plan: Plan, ctx: ApplyContext, options: ApplyOptions = {}): Promise<ApplyResult> {
  const emit = options.onEvent ?? (() => undefined);
  let work = plan.endpoints.filter((e) => e.action !== "no-op");
  assertSecretsAvailable(work, ctx.secrets, plan.cluster.version);

  const blocked = work.filter((e) => (e.action === "replace" || e.action === "delete") && inUse(e));
  if (blocked.length > 0 && !options.allowInUse)
    throw new ApplyRefusedError(
      blocked.map((e) => ({
        inference_id: e.inference_id,
        action: e.action as "replace" | "delete",
        references: e.references!,
      })),
      `refusing to ${blocked.map((e) => `${e.action} ${e.inference_id} (used by ${describeReferences(e.references!)})`).join("; ")}: ` +
        "deleting an endpoint breaks what uses it. Re-run with --allow-in-use to do it anyway (force=true is sent).",
    );
  for (const e of blocked)
    emit({
      kind: "note",
      inferenceId: e.inference_id,
      action: e.action,
      message: `in use by ${describeReferences(e.references!)}: sending force=true (--allow-in-use)`,
    });

  // Durable before any request: which endpoints this stack is creating (and what it will send), what it forgets,
  // and what the cluster already matches.
  const now = new Date().toISOString();
  const planned = new Set(plan.endpoints.map((e) => e.inference_id));
  const forgotten: string[] = [];
  ctx.keeper.update((state) => {
    state.cluster_uuid = plan.cluster.cluster_uuid || state.cluster_uuid;
    for (const id of Object.keys(state.endpoints))
      if (!planned.has(id) && inScope(plan.scope, id) && !keptUndeclared(state.endpoints[id]!, ctx, id)) {
        delete state.endpoints[id];
        forgotten.push(id);
      }
    for (const e of plan.endpoints) {
      // Unchanged endpoints keep their verified fingerprints (an imported secret stays unverified) and the digest
      // of what the cluster stored, but record the current declaration (a renamed secret reference, say).
      const before = Object.hasOwn(state.endpoints, e.inference_id) ? state.endpoints[e.inference_id] : undefined;
      if (e.action === "no-op" && e.declared)
        state.endpoints[e.inference_id] = {
          ...owned(e, "applied", now, undefined, options.markers),
          secrets: { ...before?.secrets },
          ...(before?.live ? { live: before.live } : {}),
        };
      if (e.action === "create") state.endpoints[e.inference_id] = owned(e, "creating", now);
      if (e.action === "replace")
        state.endpoints[e.inference_id] = {
          ...owned(e, "creating", now),
          // What is being replaced, until it is deleted: the next run may still find it.
          ...(before && before.status !== "creating"
            ? { previous: { declared: before.declared, ...(before.live ? { live: before.live } : {}) } }
            : before?.previous
              ? { previous: before.previous }
              : {}),
        };
    }
  });
  await ctx.keeper.flush();

  // Then the claims: every endpoint the stack will hold afterwards, where the cluster has no claim of ours yet
  // (endpoints created before claims existed get theirs now). Someone else's claim, taken since the plan, stops
  // that endpoint only.
  const outcomes = new Map<string, EndpointOutcome>();
  const toClaim = plan.endpoints
    .filter(
      (e) => e.action !== "delete" && e.declared && !claimedBy(ctx.knownClaims.get(e.inference_id), ctx.claims.self),
    )
    .map((e) => e.inference_id);
  const { conflicts } = await ctx.claims.claim(toClaim);
  if (conflicts.size > 0) {
    ctx.keeper.update((state) => {
      for (const id of conflicts.keys()) if (state.endpoints[id]?.status === "creating") delete state.endpoints[id];
    });
    for (const [id, claim] of conflicts) {
      const e = plan.endpoints.find((p) => p.inference_id === id)!;
      const error = `${id} was claimed by ${describeOwner(claim, ctx.claims.self)} since the plan; nothing was changed for it`;
      emit({ kind: "failed", inferenceId: id, action: e.action, message: error, durationMs: 0 });
      outcomes.set(id, { inference_id: id, action: e.action, status: "failed", error, durationMs: 0 });
    }
    work = work.filter((e) => !conflicts.has(e.inference_id));
  }

  const timeout = options.createTimeout && supportsCreateTimeout(plan.cluster) ? options.createTimeout : undefined;
  const released: string[] = [...forgotten];
  const results = await mapLimit(work, options.parallelism ?? 8, async (e): Promise<EndpointOutcome> => {
    if (options.stop?.aborted)
      return { inference_id: e.inference_id, action: e.action, status: "not-started", durationMs: 0 };
    const started = Date.now();
    emit({ kind: "start", inferenceId: e.inference_id, action: e.action });
    try {
      const stored = await carryOut(e, ctx, {
        timeout,
        force: inUse(e) && Boolean(options.allowInUse),
        version: plan.cluster.version,
      });
      if (e.action === "delete") released.push(e.inference_id);
      else {
        // The write's response is the server's read-back of what it stored: a field it did not take is an
        // error, not a silent success.
        const problem = notTaken(e, stored, plan.cluster.version);
        const at = new Date().toISOString();
        ctx.keeper.update(
          (s) =>
            void (s.endpoints[e.inference_id] = owned(e, "applied", at, problem ? undefined : stored, options.markers)),
        );
        if (problem) throw new Error(problem);
      }
      const durationMs = Date.now() - started;
      emit({ kind: "done", inferenceId: e.inference_id, action: e.action, durationMs });
      return { inference_id: e.inference_id, action: e.action, status: "ok", durationMs };
    } catch (error) {
      if (error instanceof NotOursError) released.push(e.inference_id);
      const message = (error as Error).message;
      const durationMs = Date.now() - started;
      emit({ kind: "failed", inferenceId: e.inference_id, action: e.action, message, durationMs });
      return { inference_id: e.inference_id, action: e.action, status: "failed", error: message, durationMs };
    }
  });
  for (const o of results) outcomes.set(o.inference_id, o);
  // In the plan's order, conflicts included.
  const ordered = plan.endpoints.flatMap((e) => {
    const o = outcomes.get(e.inference_id);
    return o ? [o] : [];
  });

  if (options.verify) {
    const written = ordered.flatMap((o, i) => (o.status === "ok" && o.action !== "delete" ? [i] : []));
    await mapLimit(written, options.parallelism ?? 8, async (i) => {
      const o = ordered[i]!;
      if (options.stop?.aborted) return;
      const started = Date.now();
      emit({ kind: "start", inferenceId: o.inference_id, action: "verify" });
      const e = plan.endpoints.find((p) => p.inference_id === o.inference_id)!;
      const check = await verifyEndpoint(ctx.client, e.inference_id, e.task_type as TaskType);
      emit({
        kind: check.ok ? "done" : "failed",
        inferenceId: e.inference_id,
        action: "verify",
        message: check.message,
        durationMs: Date.now() - started,
      });
      if (!check.ok) ordered[i] = { ...o, status: "failed", error: `verification failed: ${check.message}` };
    });
  }

  await ctx.keeper.flush();
  // Claims of what the stack no longer holds go last: a claim left by a crash here only keeps others away from an
  // id this stack released (esinfer state rm removes it), never lets an endpoint go unowned.
  await ctx.claims.release(released, ctx.knownClaims);
  return {
    outcomes: ordered,
    failed: ordered.filter((o) => o.status === "failed").length,
    ...(ordered.some((o) => o.status === "not-started") ? { interrupted: true } : {}),
  };
}

/** Secrets an apply would send but cannot read here: all of them, before any request. */
export class MissingSecretsError extends EsinferError {
  constructor(readonly missing: readonly { inference_id: string; path: string; reason: string }[]) {
    super(
      `apply needs secrets that are not available here, so nothing was changed: ` +
        missing.map((m) => `${m.inference_id} ${m.path} (${m.reason})`).join("; ") +
        `. Set them where apply runs (a plan can be made without them, apply cannot send what it cannot read)`,
      { code: "ESINFER_SECRETS_MISSING" },
    );
  }
}

/**
 * Throws {@link MissingSecretsError} naming every secret the work would send that cannot be resolved: creates and
 * replaces send all of an endpoint's secrets, and an update sends them whenever it sends service settings.
 */
function assertSecretsAvailable(work: readonly EndpointPlan[], source: SecretSource, version: string): void {
  const missing: { inference_id: string; path: string; reason: string }[] = [];
  const checked = new Map<string, string | undefined>();
  for (const e of work) {
    if (!e.declared || e.action === "delete") continue;
    const sendsSecrets =
      e.action !== "update" ||
      e.changes.some((c) => c.path.startsWith("service_settings.")) ||
      updateNeedsNumAllocations(e.declared.service, version);
    if (!sendsSecrets) continue;
    for (const field of secretFields(e.declared)) {
      const key = JSON.stringify(field.value);
      if (!checked.has(key)) {
        try {
          resolveSecret(field.value, source);
          checked.set(key, undefined);
        } catch (error) {
          checked.set(key, (error as Error).message);
        }
      }
      const reason = checked.get(key);
      if (reason !== undefined) missing.push({ inference_id: e.inference_id, path: field.path, reason });
    }
  }
  if (missing.length > 0) throw new MissingSecretsError(missing);
}

/**
 * Whether an owned endpoint that is not in the plan stays in the state: imported but not declared yet (until it is
 * declared or released), and not owned by another stack since.
 */
function keptUndeclared(entry: OwnedEndpoint, ctx: ApplyContext, id: string): boolean {
  if (entry.status !== "imported") return false;
  const claim = ctx.knownClaims.get(id);
  return claim === undefined || claimedBy(claim, ctx.claims.self);
}

/** A create whose outcome was unknown found someone else's endpoint under the id: nothing is recorded for it. */
class NotOursError extends Error {}

interface CarryOutOptions {
  readonly timeout?: string;
  readonly force: boolean;
  readonly version: string;
}

/** Carries out one endpoint's action; returns what the write's response says the cluster stores (if it wrote). */
async function carryOut(
  e: EndpointPlan,
  ctx: ApplyContext,
  options: CarryOutOptions,
): Promise<InferenceEndpoint | undefined> {
  const { client, keeper } = ctx;
  const id = e.inference_id;
  switch (e.action) {
    case "delete":
      await remove(client, id, options.force);
      keeper.update((s) => void delete s.endpoints[id]);
      return undefined;
    case "replace":
      // A replaced endpoint is deleted before its new version is created (same id).
      await remove(client, id, options.force);
      return create(e, ctx, options);
    case "create":
      return create(e, ctx, options);
    case "update":
      return client.updateEndpoint(e.task_type, id, updateBody(e, ctx, options.version));
    case "no-op":
      return undefined;
  }
}

async function create(e: EndpointPlan, ctx: ApplyContext, options: CarryOutOptions): Promise<InferenceEndpoint> {
  const declared = e.declared!;
  const id = e.inference_id;
  let stored: InferenceEndpoint;
  try {
    const body = {
      service: declared.service,
      service_settings: resolveServiceSettings(declared, ctx.secrets, registerSecretValue),
      ...(Object.keys(declared.task_settings).length > 0 ? { task_settings: declared.task_settings } : {}),
      ...(declared.chunking_settings ? { chunking_settings: declared.chunking_settings } : {}),
    };
    const query = options.timeout ? { timeout: options.timeout } : {};
    const result = await ctx.client.createEndpoint(declared.task_type, id, body, query);
    stored = result.endpoint;
    // The response was lost and the endpoint read back: it is ours only if it holds what was sent. Otherwise
    // someone else created the id meanwhile, and it is not ours to keep, replace or delete.
    if (result.recovered) {
      const differs = notTaken(e, stored, options.version);
      if (differs) {
        ctx.keeper.update((s) => void delete s.endpoints[id]);
        throw new NotOursError(
          `the create's response was lost, and the endpoint now in the cluster under ${id} is not what was sent ` +
            `(${differs}): someone else created it. esinfer records no ownership of it: import it with ` +
            `esinfer import ${id} if it is yours, or choose another inference_id`,
        );
      }
    }
  } catch (error) {
    // Someone else created it between plan and apply: it is not ours to keep in the state.
    if (isAlreadyExists(error) && e.action === "create") {
      ctx.keeper.update((s) => void delete s.endpoints[id]);
      throw new NotOursError(
        `${id} was created by someone else since the plan (Elasticsearch: already exists); esinfer records no ` +
          `ownership of it: import it with esinfer import ${id} if it is yours, or choose another inference_id`,
      );
    }
    throw error;
  }
  return stored;
}

async function remove(client: ElasticsearchClient, id: string, force: boolean): Promise<void> {
  try {
    await client.deleteEndpoint(id, force ? { force: true } : {});
  } catch (error) {
    if (!isNotFound(error)) throw error; // already gone is what we wanted
  }
}

/**
 * The `_update` body for exactly the changed parts: changed task settings (merged by the server), changed
 * updatable service settings, and every secret whenever service settings are sent (Elasticsearch requires
 * `api_key` in any `_update` that carries service settings, elastic/elasticsearch#139651); in-cluster endpoints
 * before 9.1 also repeat `num_allocations`.
 */
function updateBody(e: EndpointPlan, ctx: ApplyContext, version: string): Record<string, unknown> {
  const declared = e.declared!;
  const paths = e.changes.map((c) => c.path);
  const body: Record<string, unknown> = {};
  const serviceKeys = new Set(paths.filter((p) => p.startsWith("service_settings.")).map((p) => p.split(".")[1]!));
  // Before 9.1 every in-cluster update must carry num_allocations, even one that changes task settings only.
  if (updateNeedsNumAllocations(declared.service, version)) serviceKeys.add("num_allocations");
  if (serviceKeys.size > 0) {
    const resolved = resolveServiceSettings(declared, ctx.secrets, registerSecretValue);
    body.service_settings = Object.fromEntries(
      Object.entries(resolved).filter(
        ([k]) => serviceKeys.has(k) || isSecretSetting(declared.service, declared.task_type, k),
      ),
    );
  }
  if (paths.some((p) => p.startsWith("task_settings."))) body.task_settings = declared.task_settings;
  if (paths.some((p) => p.startsWith("chunking_settings"))) body.chunking_settings = declared.chunking_settings;
  return body;
}

/** What the cluster did not take of a write, as a sentence; undefined when it stores what was declared. */
function notTaken(e: EndpointPlan, stored: InferenceEndpoint | undefined, version: string): string | undefined {
  if (!stored) return `${e.inference_id} is not in the cluster after the ${e.action}`;
  const declared = e.declared!;
  const { changes } = compareEndpoint(
    { canonical: declared, chunkingDeclared: true },
    stored,
    owned(e, "applied", ""),
    { fingerprints: e.secret_fingerprints ?? {}, unresolved: {} },
    version,
  );
  const missing = changes.filter((c: FieldChange) => !c.sensitive);
  if (stored.service !== declared.service || stored.task_type !== declared.task_type)
    return `the cluster stores ${e.inference_id} as ${stored.service} ${stored.task_type}, not ${declared.service} ${declared.task_type}`;
  if (missing.length === 0) return undefined;
  return `the cluster did not take ${missing.map((c) => `${c.path} (sent ${show(c.after)}, it stores ${show(c.before)})`).join(", ")}`;
}

const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

function owned(
  e: EndpointPlan,
  status: OwnedEndpoint["status"],
  at: string,
  stored?: InferenceEndpoint,
  markers?: ReadonlyMap<string, string>,
): OwnedEndpoint {
  const declared = e.declared as CanonicalEndpoint;
  const marker = status === "applied" ? markers?.get(e.inference_id) : undefined;
  return {
    task_type: declared.task_type,
    service: declared.service,
    status,
    // While creating, what is about to be sent: if the outcome is lost, the next run claims the endpoint only when
    // the cluster holds exactly that. Plans are never changed once made: the state may share the declaration.
    declared: declared as unknown as OwnedEndpoint["declared"],
    // While creating too: the fingerprints of what is sent, so an adopted create still detects a rotation.
    secrets: { ...(e.secret_fingerprints ?? {}) },
    // What the cluster stored, as its write response says (given only when it took everything).
    ...(stored ? { live: endpointDigest(stored) } : {}),
    updated_at: at,
    ...(marker !== undefined ? { marker } : {}),
  };
}
