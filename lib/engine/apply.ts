/**
 * Carrying out a plan safely: refuses to replace or delete endpoints in use unless allowed (then sends `force`),
 * records the intent to create before creating, deletes a replaced endpoint before re-creating it, runs endpoints
 * with bounded concurrency, checks every write against what the cluster stored (the write's response: the server's
 * read-back of the stored configuration), and reports every endpoint's outcome even when some fail.
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
import { isSecretSetting, resolveServiceSettings, type CanonicalEndpoint, type SecretSource } from "../model";
import { compareEndpoint } from "./compare";
import { inScope, type Action, type EndpointPlan, type FieldChange, type Plan } from "./plan-types";
import { describeReferences } from "./planner";
import { mapLimit } from "./pool";
import type { StateKeeper } from "./state-keeper";
import type { OwnedEndpoint } from "./state/types";
import { endpointDigest } from "./live-digest";
import { updateNeedsNumAllocations } from "./updatability";
import { verifyEndpoint } from "./verify";

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
}

export interface EndpointOutcome {
  readonly inference_id: string;
  readonly action: Action;
  readonly status: "ok" | "failed";
  readonly error?: string;
  readonly durationMs: number;
}

export interface ApplyResult {
  readonly outcomes: EndpointOutcome[];
  readonly failed: number;
}

export class ApplyRefusedError extends EsinferError {
  constructor(
    readonly endpoints: readonly string[],
    message: string,
  ) {
    super(message, { code: "ESINFER_APPLY_REFUSED" });
  }
}

export interface ApplyContext {
  readonly client: ElasticsearchClient;
  readonly keeper: StateKeeper;
  readonly secrets: SecretSource;
}

const inUse = (e: EndpointPlan) =>
  Boolean(e.references && (e.references.pipelines.length > 0 || e.references.indexes.length > 0));

export async function applyPlan(plan: Plan, ctx: ApplyContext, options: ApplyOptions = {}): Promise<ApplyResult> {
  const emit = options.onEvent ?? (() => undefined);
  const work = plan.endpoints.filter((e) => e.action !== "no-op");

  const blocked = work.filter((e) => (e.action === "replace" || e.action === "delete") && inUse(e));
  if (blocked.length > 0 && !options.allowInUse)
    throw new ApplyRefusedError(
      blocked.map((e) => e.inference_id),
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

  // Durable before any request: which endpoints this stack is creating, and what the cluster already matches.
  const now = new Date().toISOString();
  const planned = new Set(plan.endpoints.map((e) => e.inference_id));
  ctx.keeper.update((state) => {
    state.cluster_uuid = plan.cluster.cluster_uuid || state.cluster_uuid;
    for (const id of Object.keys(state.endpoints))
      if (!planned.has(id) && inScope(plan.scope, id)) delete state.endpoints[id];
    for (const e of plan.endpoints) {
      // Unchanged endpoints keep their verified fingerprints (an imported secret stays unverified) and the digest
      // of what the cluster stored, but record the current declaration (a renamed secret reference, say).
      const before = state.endpoints[e.inference_id];
      if (e.action === "no-op" && e.declared)
        state.endpoints[e.inference_id] = {
          ...owned(e, "applied", now),
          secrets: { ...before?.secrets },
          ...(before?.live ? { live: before.live } : {}),
        };
      if (e.action === "create" || e.action === "replace") state.endpoints[e.inference_id] = owned(e, "creating", now);
    }
  });
  await ctx.keeper.flush();

  const timeout = options.createTimeout && supportsCreateTimeout(plan.cluster) ? options.createTimeout : undefined;
  const outcomes = await mapLimit(work, options.parallelism ?? 8, async (e): Promise<EndpointOutcome> => {
    const started = Date.now();
    emit({ kind: "start", inferenceId: e.inference_id, action: e.action });
    try {
      const stored = await carryOut(e, ctx, {
        timeout,
        force: inUse(e) && Boolean(options.allowInUse),
        version: plan.cluster.version,
      });
      if (e.action !== "delete") {
        // The write's response is the server's read-back of what it stored: a field it did not take is an
        // error, not a silent success.
        const problem = notTaken(e, stored, plan.cluster.version);
        const at = new Date().toISOString();
        ctx.keeper.update(
          (s) => void (s.endpoints[e.inference_id] = owned(e, "applied", at, problem ? undefined : stored)),
        );
        if (problem) throw new Error(problem);
      }
      const durationMs = Date.now() - started;
      emit({ kind: "done", inferenceId: e.inference_id, action: e.action, durationMs });
      return { inference_id: e.inference_id, action: e.action, status: "ok", durationMs };
    } catch (error) {
      const message = (error as Error).message;
      const durationMs = Date.now() - started;
      emit({ kind: "failed", inferenceId: e.inference_id, action: e.action, message, durationMs });
      return { inference_id: e.inference_id, action: e.action, status: "failed", error: message, durationMs };
    }
  });

  if (options.verify) {
    // mapLimit keeps the order: outcomes[i] is the outcome of work[i].
    const written = outcomes.flatMap((o, i) => (o.status === "ok" && o.action !== "delete" ? [i] : []));
    await mapLimit(written, options.parallelism ?? 8, async (i) => {
      const e = work[i]!;
      const started = Date.now();
      emit({ kind: "start", inferenceId: e.inference_id, action: "verify" });
      const check = await verifyEndpoint(ctx.client, e.inference_id, e.task_type as TaskType);
      emit({
        kind: check.ok ? "done" : "failed",
        inferenceId: e.inference_id,
        action: "verify",
        message: check.message,
        durationMs: Date.now() - started,
      });
      if (!check.ok)
        outcomes[i] = { ...outcomes[i]!, status: "failed", error: `verification failed: ${check.message}` };
    });
  }

  await ctx.keeper.flush();
  return { outcomes, failed: outcomes.filter((o) => o.status === "failed").length };
}

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
    stored = (await ctx.client.createEndpoint(declared.task_type, id, body, query)).endpoint;
  } catch (error) {
    // Someone else created it between plan and apply: it is not ours to keep in the state.
    if (isAlreadyExists(error) && e.action === "create") ctx.keeper.update((s) => void delete s.endpoints[id]);
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
): OwnedEndpoint {
  const declared = e.declared as CanonicalEndpoint;
  return {
    task_type: declared.task_type,
    service: declared.service,
    status,
    // Nothing is applied yet while creating (and the intent, written before any request, stays small). Plans are
    // never changed once made: the state may share the declaration.
    declared: status === "applied" ? (declared as unknown as OwnedEndpoint["declared"]) : {},
    secrets: status === "applied" ? { ...(e.secret_fingerprints ?? {}) } : {},
    // What the cluster stored, as its write response says (given only when it took everything).
    ...(stored ? { live: endpointDigest(stored) } : {}),
    updated_at: at,
  };
}
