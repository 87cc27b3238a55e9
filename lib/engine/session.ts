/**
 * A stack session: one client and one state store for one stack. `plan`, `apply`, `destroy`, `import` and the
 * state operations are the engine's public operations; the CLI and the Terraform hooks are thin layers over them.
 *
 * Every plan reads, besides the state, one `GET /`, one `GET /_inference/_all` and the ownership claims of the
 * endpoints it is about (one `_mget`): an endpoint another stack owns is never touched.
 */
import { EsinferError } from "../errors";
import { resolve } from "node:path";
import { getTaskSpec, isPreconfiguredId, taskTypesOf } from "../catalogue";
import { ElasticsearchClient, ElasticsearchError, type ConnectionOptions } from "../client";
import { jsonEqual, sortKeys, versionIssues, type ValidationIssue } from "../model";
import { applyPlan, type ApplyOptions, type ApplyResult } from "./apply";
import { connectionFor, describeCluster } from "./cluster-config";
import { checkSecrets, readLiveState, readReferences } from "./live";
import { hasChanges, inScope, type Plan, type PlanScope, type References } from "./plan-types";
import { computePlan, liveDigest, withReferences, type LiveState } from "./planner";
import { declaredEndpoints, type DeclaredEndpoint, type Stack } from "./stack";
import { StateKeeper } from "./state-keeper";
import { ClusterStateStore, FileStateStore, defaultStatePath } from "./state";
import type { OwnedEndpoint, StackState, StateStore } from "./state/types";
import { importDeclaration, type ImportedEndpoint } from "./import";
import { ClaimRegistry, claimedBy, describeOwner, type Claim } from "./ownership/claims";
import { recreateConflicts } from "./mapping-compat";
import { SavedPlanError, compareWithFresh, openSealedPlan, sealPlan } from "./saved-plan";

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
  /**
   * A run's interruption (see lib/cli/interrupt.ts): `abort` abandons the requests in flight to the inference API.
   * The state and the ownership claims go through a client of their own that `abort` does not stop, so an
   * interrupted run still records what it did and releases its lock.
   */
  readonly abort?: AbortSignal;
  /** A run's first interruption: a wait for the stack's lock stops. */
  readonly stop?: AbortSignal;
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
  /**
   * `--target ID...`: plan only these endpoints, as Terraform's -target, with its warning (for exceptional cases:
   * the rest of the stack is neither planned nor forgotten).
   */
  readonly target?: readonly string[];
}

/** Terraform's warning for -target, in esinfer's words. */
export const TARGETING_WARNING =
  "Targeting is in effect (--target): this plan covers only the endpoints named, so it may not show every change " +
  "the declarations ask for. --target is for exceptional cases (recovering from an error or a mistake), not " +
  "routine use; run a plan without it before you rely on the stack being as declared.";

export class StackSession {
  /** The client of the inference API (abandoned by `abort`). */
  readonly client: ElasticsearchClient;
  /** The client of esinfer's own documents: state and claims (never abandoned: an interrupted run records). */
  private readonly ownClient: ElasticsearchClient;
  readonly store: StateStore;
  readonly clusterUrl: string;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(
    readonly stack: Stack,
    private readonly options: SessionOptions = {},
  ) {
    this.env = options.env ?? process.env;
    const connection = {
      ...connectionFor(stack.cluster, { env: this.env, baseDir: stack.baseDir, stack: stack.name }),
      ...options.client,
    };
    this.client = new ElasticsearchClient({ ...connection, ...(options.abort ? { signal: options.abort } : {}) });
    // Its own connection pool only when the other can be abandoned (a warning, e.g. `insecure`, is printed once).
    this.ownClient = options.abort ? new ElasticsearchClient({ ...connection, warn: () => undefined }) : this.client;
    this.clusterUrl = describeCluster(stack.cluster, this.env);
    this.store =
      options.store ??
      storeFor(stack, this.ownClient, this.env, options.onNote ?? ((m) => process.stderr.write(`Note: ${m}\n`)));
  }

  async close(): Promise<void> {
    await this.client.close();
    if (this.ownClient !== this.client) await this.ownClient.close();
  }

  /**
   * Runs `work` under the stack's lock. Waiting for the lock stops when the run is interrupted. A lock that cannot
   * be released is reported (it expires with its lease; `esinfer force-unlock` removes it at once), never allowed to
   * hide what `work` did or why it failed.
   */
  private async locked<T>(operation: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
    const lock = await this.store.lock(operation, timeoutMs, this.options.stop ? { signal: this.options.stop } : {});
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await lock.release().catch((e: unknown) => this.note((e as Error).message));
      throw error;
    }
    await lock.release().catch((e: unknown) => this.note((e as Error).message));
    return result;
  }

  private note(message: string): void {
    (this.options.onNote ?? ((m: string) => process.stderr.write(`Note: ${m}\n`)))(message);
  }

  /** The cluster's ownership claims, as this stack (with the state's lineage) sees them. */
  private registry(state: StackState): ClaimRegistry {
    return new ClaimRegistry(this.ownClient, { stack: this.stack.name, lineage: state.lineage });
  }

  /**
   * Reads what a plan needs, in parallel: the state, the cluster (`GET /`, `GET /_inference/_all`) and the claims
   * of every endpoint the stack declares, declares absent or owns (the owned ones only known once the state is
   * read: a second `_mget` then, for those not already asked for, usually none).
   */
  private async readWorld(): Promise<{ state: StackState; live: LiveState; claims: Map<string, Claim> }> {
    const asked = new Set([...this.declared().map((d) => d.canonical.inference_id), ...this.stack.absent]);
    // The lineage is not known yet: reading claims needs none (only interpreting them does).
    const reader = new ClaimRegistry(this.ownClient, { stack: this.stack.name, lineage: "" });
    const [state, live, claims] = await Promise.all([
      this.store.read(),
      readLiveState(this.client, this.clusterUrl),
      reader.read(asked),
    ]);
    const more = Object.keys(state.endpoints).filter((id) => !asked.has(id));
    if (more.length > 0) for (const [id, claim] of await reader.read(more)) claims.set(id, claim);
    return { state, live, claims };
  }

  private get secretSource() {
    return { env: this.env, baseDir: this.stack.baseDir };
  }

  #declared: DeclaredEndpoint[] | undefined;

  /** The stack's declarations with their canonical forms (computed once: the stack does not change). */
  private declared(): DeclaredEndpoint[] {
    return (this.#declared ??= declaredEndpoints(this.stack));
  }

  /** Reads the cluster, the claims and the state, and plans. */
  async plan(options: PlanOptions = {}): Promise<Plan> {
    const { state, live, claims } = await this.readWorld();
    return this.planAgainst(state, live, claims, options, "review");
  }

  /**
   * `purpose` "review" is a plan a person reads (`esinfer plan`, `plan --out`): made with a read-only key too, as a
   * pull request's plan is, so a refused read of what uses an endpoint is a warning there. An apply needs it.
   */
  private async planAgainst(
    state: StackState,
    live: LiveState,
    claims: ReadonlyMap<string, Claim>,
    requested: PlanOptions,
    purpose: "review" | "apply" = "apply",
  ): Promise<Plan> {
    const target = requested.target ?? [];
    const options = target.length > 0 && !requested.scope ? { ...requested, scope: { only: [...target] } } : requested;
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
      claims,
      owner: { stack: this.stack.name, lineage: state.lineage },
    });
    const problems = [...versionProblems, ...errors];
    if (problems.length > 0) throw new PlanError(problems);
    const known = (id: string) =>
      this.declared().some((d) => d.canonical.inference_id === id) ||
      Object.hasOwn(state.endpoints, id) ||
      this.stack.absent.includes(id);
    const targeting =
      target.length > 0
        ? [
            TARGETING_WARNING,
            ...target
              .filter((id) => !known(id))
              .map(
                (id) =>
                  `--target ${id}: stack ${this.stack.name} neither declares nor owns it; nothing is planned for it`,
              ),
          ]
        : [];
    const destroyPlan = {
      ...plan,
      endpoints: options.destroy
        ? plan.endpoints.map((e) => (e.action === "delete" ? { ...e, reasons: ["esinfer destroy"] } : e))
        : plan.endpoints,
      warnings: [...targeting, ...plan.warnings],
    };
    const touched = destroyPlan.endpoints
      .filter((e) => e.action === "replace" || e.action === "delete")
      .map((e) => e.inference_id);
    if (touched.length === 0) return destroyPlan;
    let references: Map<string, References>;
    try {
      references = await readReferences(this.client, touched, this.options.parallelism ?? 8);
    } catch (error) {
      if (purpose === "apply" || !(error instanceof ElasticsearchError) || error.status !== 403) throw error;
      return {
        ...destroyPlan,
        warnings: [
          ...destroyPlan.warnings,
          `what uses ${touched.join(", ")} was not checked: the credentials may not read it (DELETE ?dry_run=true ` +
            `needs the manage_inference privilege: ${error.reason}); apply checks it and refuses to break what uses them`,
        ],
      };
    }
    const referenced = withReferences(destroyPlan, references);
    await this.assertRecreatable(referenced, live);
    return referenced;
  }

  /**
   * Refuses, before anything is deleted, a replace that Elasticsearch would not let re-create: `semantic_text`
   * fields using the endpoint recorded model settings the new declaration does not have (one mappings request for
   * every index concerned). With or without --allow-in-use: forcing the delete would lose the endpoint.
   */
  private async assertRecreatable(plan: Plan, live: LiveState): Promise<void> {
    const replaced = plan.endpoints.filter((e) => e.action === "replace" && (e.references?.indexes.length ?? 0) > 0);
    if (replaced.length === 0) return;
    const indexes = [...new Set(replaced.flatMap((e) => e.references!.indexes))];
    const mappings = await this.client.getMappings(indexes);
    const problems: ValidationIssue[] = [];
    for (const e of replaced) {
      const conflicts = recreateConflicts(e, live.endpoints.get(e.inference_id), mappings);
      if (conflicts.length === 0) continue;
      problems.push({
        endpoint: e.inference_id,
        path: "",
        message:
          `cannot be replaced: it would be deleted, and Elasticsearch would not accept it re-created under the same ` +
          `id, because semantic_text fields that use it recorded other model settings: ` +
          conflicts.map((c) => `index ${c.index} field ${c.field}: ${c.reason}`).join("; ") +
          `. Nothing is deleted (with or without --allow-in-use). Keep the settings those fields need, or declare ` +
          `the endpoint under a new inference_id and reindex into fields that use it`,
      });
    }
    if (problems.length > 0) throw new PlanError(problems);
  }

  /**
   * Applies a plan under the stack's lock. A saved plan (from another run) is refused when the state or the
   * cluster changed since it was made. Without a plan, plans under the lock first; `confirm` may then decline.
   */
  async apply(
    options: ApplyOptions & {
      readonly plan?: Plan;
      /** A saved plan file's parsed JSON and its name: verified (MAC, freshness) under the lock, then applied. */
      readonly saved?: { readonly raw: unknown; readonly file: string };
      readonly destroy?: boolean;
      readonly scope?: PlanScope;
      readonly target?: readonly string[];
      readonly lockTimeoutMs?: number;
      /** Called with the fresh plan when it has changes; return false to stop without applying. */
      readonly confirm?: (plan: Plan) => Promise<boolean>;
    } = {},
  ): Promise<{ plan: Plan; result?: ApplyResult; declined?: boolean }> {
    return this.locked(options.destroy ? "destroy" : "apply", options.lockTimeoutMs ?? 0, async () => {
      // A saved plan that cannot be trusted is refused before anything is sent to the cluster's inference API.
      if (options.saved) this.openSaved(options.saved, await this.store.read());
      const { state: read, live, claims } = await this.readWorld();
      const state = read;
      let plan: Plan;
      if (options.saved) {
        plan = await this.verifySaved(options.saved, state, live, claims, options);
      } else {
        plan =
          options.plan ??
          (await this.planAgainst(state, live, claims, {
            destroy: options.destroy,
            ...(options.scope ? { scope: options.scope } : {}),
            ...(options.target ? { target: options.target } : {}),
          }));
      }
      const registry = this.registry(state);
      if (!hasChanges(plan) && !stateNeedsRefresh(plan, state, claims, registry, options.markers))
        return { plan, result: { outcomes: [], failed: 0 } };
      if (hasChanges(plan) && options.confirm && !(await options.confirm(plan))) return { plan, declined: true };
      const keeper = new StateKeeper(this.store, state);
      const result = await applyPlan(
        plan,
        { client: this.client, keeper, secrets: this.secretSource, claims: registry, knownClaims: claims },
        options,
      );
      return { plan, result };
    });
  }

  /**
   * Plans and returns the plan as the saved file's text (`esinfer plan --out`): sealed with a MAC keyed by the
   * state's salt. A stack without a state yet gets its (empty) state written first, under the lock, so the key
   * lives with the state and never in the plan.
   */
  async planToSave(options: PlanOptions & { lockTimeoutMs?: number } = {}): Promise<{ plan: Plan; saved: string }> {
    let world = await this.readWorld();
    if (world.state.serial === 0) {
      await this.locked("plan --out", options.lockTimeoutMs ?? 0, async () => {
        const current = await this.store.read();
        if (current.serial === 0) await this.store.write(current);
      });
      world = await this.readWorld();
    }
    const plan = await this.planAgainst(world.state, world.live, world.claims, options, "review");
    return { plan, saved: JSON.stringify(sealPlan(plan, world.state.salt), null, 2) + "\n" };
  }

  /**
   * The plan to apply for a saved plan: its MAC must verify against this state's salt (SavedPlanError, exit 2,
   * before anything is sent), it must be fresh (state serial and lineage, the planned endpoints as they were in the
   * cluster, the same secret values), and every action must still follow from the declarations and the cluster as
   * they are now: a fresh plan is made and must do exactly what the saved one does. The fresh plan is applied.
   */
  private async verifySaved(
    saved: { readonly raw: unknown; readonly file: string },
    state: StackState,
    live: LiveState,
    claims: ReadonlyMap<string, Claim>,
    options: { destroy?: boolean; scope?: PlanScope },
  ): Promise<Plan> {
    const plan = this.openSaved(saved, state);
    this.assertFresh(plan, state, live);
    const fresh = await this.planAgainst(state, live, claims, {
      destroy: options.destroy ?? false,
      ...(plan.scope ? { scope: plan.scope } : {}),
    });
    const drift = compareWithFresh(plan, fresh);
    if (drift)
      throw new StalePlanError(`its actions no longer follow from the declarations and the cluster (${drift})`);
    return fresh;
  }

  /** The saved plan, once it is known to be this stack's and its MAC verifies against the state's salt. */
  private openSaved(saved: { readonly raw: unknown; readonly file: string }, state: StackState): Plan {
    const stack = (saved.raw as { stack?: unknown } | null)?.stack;
    if (typeof stack === "string" && stack !== this.stack.name)
      throw new StalePlanError(`it was made for stack ${stack}, not ${this.stack.name}`);
    if (state.serial === 0)
      throw new SavedPlanError(
        `${saved.file} cannot be checked: stack ${this.stack.name} has no state (it was deleted since the plan was made); nothing was sent`,
      );
    return openSealedPlan(saved.raw, state.salt, saved.file);
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
   * Adopts existing endpoints into the stack, as Terraform's import does: records them as owned (their current
   * settings as the last applied declaration, their secrets unverified), claims them for the stack, and returns
   * their declarations (secrets as references to name). An imported endpoint the stack does not declare yet is
   * kept, never deleted, until it is declared or released (`forget`). Refused for an endpoint another stack owns,
   * unless `fromStack` names that stack: then its ownership moves here (that stack's next plan forgets it).
   */
  async import(
    ids: readonly string[],
    options: { lockTimeoutMs?: number; fromStack?: string; all?: boolean } = {},
  ): Promise<ImportResult> {
    return this.locked("import", options.lockTimeoutMs ?? 0, async () => {
      const state = await this.store.read();
      const live = await readLiveState(this.client, this.clusterUrl);
      const registry = this.registry(state);
      const declaredIds = new Set(this.declared().map((d) => d.canonical.inference_id));
      // --all: every endpoint no stack owns (one _mget of every live id's claim).
      const allTargets = options.all
        ? [...live.endpoints.keys()].filter((id) => !isPreconfiguredId(id) && !ownedIn(state, id) && !ids.includes(id))
        : [];
      const claims = await registry.read([...ids, ...allTargets]);
      const targets = [
        ...ids,
        ...allTargets.filter((id) => {
          const claim = claims.get(id);
          return claim === undefined || claimedBy(claim, registry.self);
        }),
      ];
      const imported: ImportedEndpoint[] = [];
      const again: ImportedEndpoint[] = [];
      const takeOver: Claim[] = [];
      const problems: ValidationIssue[] = [];
      for (const id of targets) {
        const endpoint = live.endpoints.get(id);
        const owned = ownedIn(state, id);
        const claim = claims.get(id);
        const foreign = claim && !claimedBy(claim, registry.self) ? claim : undefined;
        const problem = (message: string) => problems.push({ endpoint: id, path: "", message });
        if (!endpoint) problem("is not in the cluster");
        else if (isPreconfiguredId(id))
          problem("is one of Elasticsearch's preconfigured endpoints, which cannot be declared");
        else if (!getTaskSpec(endpoint.service, endpoint.task_type))
          problem(
            `uses ${endpoint.service} ${endpoint.task_type}, which esinfer does not know (known task types of ${endpoint.service}: ${taskTypesOf(endpoint.service).join(", ") || "none"})`,
          );
        else if (foreign && foreign.stack !== options.fromStack)
          problem(
            `is owned by ${describeOwner(foreign, registry.self)}: an endpoint has one owner. To move it to stack ` +
              `${this.stack.name}, run \`esinfer import ${id} --from-stack ${foreign.stack}\` (stack ` +
              `${foreign.stack}'s next plan then forgets it)`,
          );
        else if (options.fromStack !== undefined && !foreign)
          problem(
            `is not owned by stack ${options.fromStack}${claim ? ` (stack ${this.stack.name} owns it already)` : " (no stack owns it)"}: nothing to move; import it without --from-stack`,
          );
        else if (owned?.status === "imported" && !declaredIds.has(id)) again.push(importDeclaration(endpoint));
        // As Terraform does: importing what the stack already manages would overwrite its last applied declaration
        // with what the cluster reports (server-filled values included), and the next plan could replace it.
        else if (owned && owned.status !== "creating")
          problem(`is already managed by stack ${this.stack.name} (it is declared there): nothing to import`);
        else {
          if (foreign) takeOver.push(foreign);
          imported.push(importDeclaration(endpoint));
        }
      }
      if (problems.length > 0) throw new PlanError(problems);
      // Claims first: a claim taken meanwhile by someone else stops the import before anything is recorded.
      const lost: ValidationIssue[] = [];
      for (const claim of takeOver)
        if (!(await registry.takeOver(claim)))
          lost.push({
            endpoint: claim.inferenceId,
            path: "",
            message: "its ownership changed meanwhile; run the import again",
          });
      const fresh = imported.filter((i) => !takeOver.some((c) => c.inferenceId === i.request.inference_id));
      const { conflicts } = await registry.claim(fresh.map((i) => i.request.inference_id));
      for (const [id, claim] of conflicts)
        lost.push({
          endpoint: id,
          path: "",
          message: `was claimed by ${describeOwner(claim, registry.self)} meanwhile`,
        });
      if (lost.length > 0) throw new PlanError(lost);
      const keeper = new StateKeeper(this.store, state);
      const now = new Date().toISOString();
      keeper.update((s) => {
        s.cluster_uuid ??= live.info.clusterUuid;
        for (const i of imported)
          s.endpoints[i.request.inference_id] = {
            task_type: i.request.task_type,
            service: i.request.service,
            status: "imported",
            declared: sortKeys(i.lastApplied) as unknown as OwnedEndpoint["declared"],
            secrets: {},
            updated_at: now,
          };
      });
      await keeper.flush();
      return {
        imported,
        again,
        undeclared: [...imported, ...again].map((i) => i.request.inference_id).filter((id) => !declaredIds.has(id)),
        movedFrom: takeOver.map((c) => c.inferenceId),
      };
    });
  }

  /** The stack's state, read under its lock (`esinfer state list` / `show`). */
  async readState(options: { lockTimeoutMs?: number } = {}): Promise<StackState> {
    return this.locked("state", options.lockTimeoutMs ?? 0, async () => {
      return await this.store.read();
    });
  }

  /**
   * Forgets endpoints without deleting them (`esinfer state rm`): they stay in the cluster, owned by no stack (their
   * claims are released). An id the state does not hold but the cluster claims for this stack (left by an
   * interrupted run) has its claim released too.
   */
  async forget(ids: readonly string[], options: { lockTimeoutMs?: number } = {}): Promise<{ forgotten: string[] }> {
    return this.locked("state rm", options.lockTimeoutMs ?? 0, async () => {
      const state = await this.store.read();
      const registry = this.registry(state);
      const claims = await registry.read(ids);
      const problems: ValidationIssue[] = [];
      for (const id of ids)
        if (!ownedIn(state, id) && !claimedBy(claims.get(id), registry.self))
          problems.push({
            endpoint: id,
            path: "",
            message: `is not owned by stack ${this.stack.name}${claims.get(id) ? ` (${describeOwner(claims.get(id)!, registry.self)} owns it)` : ""}: nothing to forget`,
          });
      if (problems.length > 0) throw new PlanError(problems);
      const keeper = new StateKeeper(this.store, state);
      keeper.update((s) => {
        for (const id of ids) delete s.endpoints[id];
      });
      await keeper.flush();
      await registry.release(ids, claims);
      return { forgotten: [...ids] };
    });
  }
}

/** What `import` did. */
export interface ImportResult {
  /** Endpoints adopted now. */
  readonly imported: readonly ImportedEndpoint[];
  /** Endpoints imported earlier and still not declared: their declarations again, nothing changed. */
  readonly again: readonly ImportedEndpoint[];
  /** Ids (of both) the stack does not declare yet. */
  readonly undeclared: readonly string[];
  /** Ids whose ownership moved here from `fromStack`. */
  readonly movedFrom: readonly string[];
}

/** The state's entry for `id` (own properties only: ids are data). */
function ownedIn(state: StackState, id: string): OwnedEndpoint | undefined {
  return Object.hasOwn(state.endpoints, id) ? state.endpoints[id] : undefined;
}

/**
 * Whether an apply without cluster changes would still change the state or the claims: forget, record, re-declare,
 * claim an endpoint created before claims existed, record a Terraform marker.
 */
function stateNeedsRefresh(
  plan: Plan,
  state: StackState,
  claims: ReadonlyMap<string, Claim>,
  registry: ClaimRegistry,
  markers: ReadonlyMap<string, string> | undefined,
): boolean {
  if (plan.cluster.cluster_uuid && state.cluster_uuid !== plan.cluster.cluster_uuid) return true;
  const planned = new Set(plan.endpoints.map((e) => e.inference_id));
  if (
    Object.entries(state.endpoints).some(
      ([id, owned]) => !planned.has(id) && inScope(plan.scope, id) && owned.status !== "imported",
    )
  )
    return true;
  return plan.endpoints.some((e) => {
    const owned = ownedIn(state, e.inference_id);
    return (
      e.action === "no-op" &&
      (!owned ||
        owned.status !== "applied" ||
        !jsonEqual(owned.declared, e.declared) ||
        !claimedBy(claims.get(e.inference_id), registry.self) ||
        (markers?.has(e.inference_id) === true && owned.marker !== markers.get(e.inference_id)))
    );
  });
}

function storeFor(
  stack: Stack,
  client: ElasticsearchClient,
  env: Readonly<Record<string, string | undefined>>,
  onNote: (message: string) => void,
): StateStore {
  if (stack.state.backend === "cluster")
    return new ClusterStateStore(client, {
      stack: stack.name,
      onNote,
      env,
      ...(stack.state.index ? { index: stack.state.index } : {}),
    });
  return new FileStateStore(resolve(stack.baseDir, stack.state.path ?? defaultStatePath(stack.name)), {
    stack: stack.name,
    onNote,
    env,
  });
}
