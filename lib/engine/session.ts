/**
 * A stack session: one client and one state store for one stack. `plan`, `apply`, `destroy` and `import` are
 * the engine's public operations; the CLI and the constructs' Terraform commands are thin layers over them.
 */
import { EsinferError } from "../errors";
import { resolve } from "node:path";
import { getTaskSpec, isPreconfiguredId, taskTypesOf } from "../catalogue";
import { ElasticsearchClient, type ConnectionOptions } from "../client";
import { jsonEqual, sortKeys, versionIssues, type ValidationIssue } from "../model";
import { applyPlan, type ApplyOptions, type ApplyResult } from "./apply";
import { connectionFor, describeCluster } from "./cluster-config";
import { checkSecrets, readLiveState, readReferences } from "./live";
import { hasChanges, inScope, type Plan, type PlanScope } from "./plan-types";
import { computePlan, liveDigest, withReferences, type LiveState } from "./planner";
import { declaredEndpoints, type DeclaredEndpoint, type Stack } from "./stack";
import { StateKeeper } from "./state-keeper";
import { ClusterStateStore, FileStateStore, defaultStatePath } from "./state";
import type { OwnedEndpoint, StackState, StateStore } from "./state/types";
import { importDeclaration, type ImportedEndpoint } from "./import";

export interface SessionOptions {
  /** Environment for secret references and the cluster fallback (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Replaces the state store the stack configures (tests, or a store the caller built). */
  readonly store?: StateStore;
  /** Extra client options (verbose logging, retries). */
  readonly client?: Partial<ConnectionOptions>;
  /** Concurrent requests for reference lookups (default 8). */
  readonly parallelism?: number;
  readonly esinferVersion?: string;
  /** Notes about unusual events the state store handled (a stale lock taken over). Default: stderr. */
  readonly onNote?: (message: string) => void;
}

export class PlanError extends EsinferError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(`the plan cannot be made: ${issues.length} problem${issues.length === 1 ? "" : "s"}`, {
      code: "ESINFER_PLAN",
    });
  }
}

export class StalePlanError extends EsinferError {
  constructor(reason: string) {
    super(`Saved plan is stale: ${reason}. Run esinfer plan again.`, { code: "ESINFER_STALE_PLAN" });
  }
}

export interface PlanOptions {
  /** Plan the deletion of everything the stack owns (`esinfer destroy`). */
  readonly destroy?: boolean;
  /** Plan part of the stack only (the Terraform hooks work on one endpoint at a time). */
  readonly scope?: PlanScope;
}

export class StackSession {
  readonly client: ElasticsearchClient;
  readonly store: StateStore;
  readonly clusterUrl: string;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(
    readonly stack: Stack,
    private readonly options: SessionOptions = {},
  ) {
    this.env = options.env ?? process.env;
    this.client = new ElasticsearchClient({
      ...connectionFor(stack.cluster, { env: this.env, baseDir: stack.baseDir }),
      ...options.client,
    });
    this.clusterUrl = describeCluster(stack.cluster, this.env);
    this.store =
      options.store ?? storeFor(stack, this.client, options.onNote ?? ((m) => process.stderr.write(`Note: ${m}\n`)));
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private get secretSource() {
    return { env: this.env, baseDir: this.stack.baseDir };
  }

  #declared: DeclaredEndpoint[] | undefined;

  /** The stack's declarations with their canonical forms (computed once: the stack does not change). */
  private declared(): DeclaredEndpoint[] {
    return (this.#declared ??= declaredEndpoints(this.stack));
  }

  /** Reads the cluster (one `GET /`, one `GET /_inference/_all`) and the state, and plans. */
  async plan(options: PlanOptions = {}): Promise<Plan> {
    const reading = Promise.all([this.store.read(), readLiveState(this.client, this.clusterUrl)]);
    this.declared(); // CPU work while the cluster answers
    const [state, live] = await reading;
    return this.planAgainst(state, live, options);
  }

  private async planAgainst(state: StackState, live: LiveState, options: PlanOptions): Promise<Plan> {
    const declared = options.destroy
      ? []
      : this.declared().filter((d) => inScope(options.scope, d.canonical.inference_id));
    const versionProblems = declared.flatMap((d) => versionIssues(d.endpoint, live.info.version));
    const { plan, errors } = computePlan({
      stack: this.stack.name,
      declared,
      absent: options.destroy ? [] : this.stack.absent,
      live,
      state,
      secrets: checkSecrets(declared, state.salt, this.secretSource),
      esinferVersion: this.options.esinferVersion ?? "0.0.0",
      ...(options.scope ? { scope: options.scope } : {}),
    });
    const problems = [...versionProblems, ...errors];
    if (problems.length > 0) throw new PlanError(problems);
    const destroyPlan = options.destroy
      ? {
          ...plan,
          endpoints: plan.endpoints.map((e) => (e.action === "delete" ? { ...e, reasons: ["esinfer destroy"] } : e)),
        }
      : plan;
    const touched = destroyPlan.endpoints
      .filter((e) => e.action === "replace" || e.action === "delete")
      .map((e) => e.inference_id);
    if (touched.length === 0) return destroyPlan;
    return withReferences(destroyPlan, await readReferences(this.client, touched, this.options.parallelism ?? 8));
  }

  /**
   * Applies a plan under the stack's lock. A saved plan (from another run) is refused when the state or the
   * cluster changed since it was made. Without a plan, plans under the lock first; `confirm` may then decline.
   */
  async apply(
    options: ApplyOptions & {
      readonly plan?: Plan;
      readonly saved?: boolean;
      readonly destroy?: boolean;
      readonly scope?: PlanScope;
      readonly lockTimeoutMs?: number;
      /** Called with the fresh plan when it has changes; return false to stop without applying. */
      readonly confirm?: (plan: Plan) => Promise<boolean>;
    } = {},
  ): Promise<{ plan: Plan; result?: ApplyResult; declined?: boolean }> {
    const lock = await this.store.lock(options.destroy ? "destroy" : "apply", options.lockTimeoutMs ?? 0);
    try {
      const reading = Promise.all([this.store.read(), readLiveState(this.client, this.clusterUrl)]);
      this.declared(); // CPU work while the cluster answers
      const [read, live] = await reading;
      let state = read;
      let plan: Plan;
      if (options.plan && options.saved) {
        // A plan made before the stack had any state fingerprinted with the salt it carries: adopt it.
        if (state.serial === 0 && options.plan.basis.state_salt)
          state = { ...state, salt: options.plan.basis.state_salt };
        this.assertFresh(options.plan, state, live);
        plan = options.plan;
      } else {
        plan =
          options.plan ??
          (await this.planAgainst(state, live, {
            destroy: options.destroy,
            ...(options.scope ? { scope: options.scope } : {}),
          }));
      }
      if (!hasChanges(plan) && !stateNeedsRefresh(plan, state)) return { plan, result: { outcomes: [], failed: 0 } };
      if (hasChanges(plan) && options.confirm && !(await options.confirm(plan))) return { plan, declined: true };
      const keeper = new StateKeeper(this.store, state);
      const result = await applyPlan(plan, { client: this.client, keeper, secrets: this.secretSource }, options);
      return { plan, result };
    } finally {
      await lock.release();
    }
  }

  private assertFresh(plan: Plan, state: StackState, live: LiveState): void {
    if (plan.stack !== this.stack.name)
      throw new StalePlanError(`it was made for stack ${plan.stack}, not ${this.stack.name}`);
    // Serial first: a plan made before any state existed read a lineage that was never written.
    if (plan.basis.state_serial !== state.serial)
      throw new StalePlanError(
        `the stack's state changed since (serial ${plan.basis.state_serial} then, ${state.serial} now)`,
      );
    if (plan.basis.state_lineage !== state.lineage && state.serial > 0)
      throw new StalePlanError("it was made against another state (different lineage)");
    if (liveDigest(live, plan.endpoints) !== plan.basis.live_digest)
      throw new StalePlanError(
        `the cluster changed since (an endpoint of the plan was created, changed or deleted, or the cluster was upgraded)`,
      );
    // The secrets the plan would send: those of its own declarations (the manifest may have changed since).
    const declared = plan.endpoints.flatMap((e) => (e.declared ? [{ canonical: e.declared }] : []));
    const secrets = checkSecrets(declared, state.salt, this.secretSource);
    for (const e of plan.endpoints)
      for (const [path, fingerprint] of Object.entries(e.secret_fingerprints ?? {}))
        if (secrets.get(e.inference_id)?.fingerprints[path] !== fingerprint)
          throw new StalePlanError(`${e.inference_id} ${path} has a different value than when the plan was made`);
  }

  /**
   * Adopts existing endpoints into the stack: records them as owned (their current settings as the last applied
   * declaration, their secrets unverified) and returns their declarations, secrets as references to name.
   */
  async import(ids: readonly string[], options: { lockTimeoutMs?: number } = {}): Promise<ImportedEndpoint[]> {
    const lock = await this.store.lock("import", options.lockTimeoutMs ?? 0);
    try {
      const state = await this.store.read();
      const live = await readLiveState(this.client, this.clusterUrl);
      const imported: ImportedEndpoint[] = [];
      const problems: ValidationIssue[] = [];
      for (const id of ids) {
        const endpoint = live.endpoints.get(id);
        // As Terraform does: importing what the stack already manages would overwrite its last applied declaration
        // with what the cluster reports (server-filled values included), and the next plan could replace it.
        if (state.endpoints[id])
          problems.push({
            endpoint: id,
            path: "",
            message: `is already managed by stack ${this.stack.name}: its declaration is in the stack, nothing to import`,
          });
        else if (!endpoint) problems.push({ endpoint: id, path: "", message: "is not in the cluster" });
        else if (isPreconfiguredId(id))
          problems.push({
            endpoint: id,
            path: "",
            message: "is one of Elasticsearch's preconfigured endpoints, which cannot be declared",
          });
        else if (!getTaskSpec(endpoint.service, endpoint.task_type))
          problems.push({
            endpoint: id,
            path: "",
            message: `uses ${endpoint.service} ${endpoint.task_type}, which esinfer does not know (known task types of ${endpoint.service}: ${taskTypesOf(endpoint.service).join(", ") || "none"})`,
          });
        else imported.push(importDeclaration(endpoint));
      }
      if (problems.length > 0) throw new PlanError(problems);
      const keeper = new StateKeeper(this.store, state);
      const now = new Date().toISOString();
      keeper.update((s) => {
        s.cluster_uuid ??= live.info.clusterUuid;
        for (const i of imported)
          s.endpoints[i.request.inference_id] = {
            task_type: i.request.task_type,
            service: i.request.service,
            status: "applied",
            declared: sortKeys(i.lastApplied) as unknown as OwnedEndpoint["declared"],
            secrets: {},
            updated_at: now,
          };
      });
      await keeper.flush();
      return imported;
    } finally {
      await lock.release();
    }
  }
}

/** Whether an apply without cluster changes would still change the state (forget, record, re-declare). */
function stateNeedsRefresh(plan: Plan, state: StackState): boolean {
  if (plan.cluster.cluster_uuid && state.cluster_uuid !== plan.cluster.cluster_uuid) return true;
  const planned = new Set(plan.endpoints.map((e) => e.inference_id));
  if (Object.keys(state.endpoints).some((id) => !planned.has(id) && inScope(plan.scope, id))) return true;
  return plan.endpoints.some((e) => {
    const owned = state.endpoints[e.inference_id];
    return e.action === "no-op" && (!owned || owned.status !== "applied" || !jsonEqual(owned.declared, e.declared));
  });
}

function storeFor(stack: Stack, client: ElasticsearchClient, onNote: (message: string) => void): StateStore {
  if (stack.state.backend === "cluster")
    return new ClusterStateStore(client, {
      stack: stack.name,
      onNote,
      ...(stack.state.index ? { index: stack.state.index } : {}),
    });
  return new FileStateStore(resolve(stack.baseDir, stack.state.path ?? defaultStatePath(stack.name)), {
    stack: stack.name,
    onNote,
  });
}
