/**
 * What a plan is: per endpoint one action and the field-level changes behind it. This is also the versioned JSON
 * document `esinfer plan --json` prints and `--out` saves (see docs/plan-json.md); change it only with a new
 * `format_version`.
 */
import type { TaskType } from "../catalogue";
import type { CanonicalEndpoint } from "../model";

export const PLAN_FORMAT_VERSION = "1.0";

export type Action = "create" | "update" | "replace" | "delete" | "no-op";

/** One field that differs between the cluster and the declaration. */
export interface FieldChange {
  /** Request-shape path: `service_settings.model_id`, `task_settings.user`, `chunking_settings`. */
  readonly path: string;
  /** Live value (absent when the field is not set in the cluster). `(sensitive)` for secrets. */
  readonly before?: unknown;
  /** Declared value (absent when the declaration removes the field). `(sensitive)` for secrets. */
  readonly after?: unknown;
  readonly sensitive: boolean;
  /**
   * For a secret: where the declared value comes from (`OPENAI_API_KEY` for an environment variable, `file
   * ./key.txt`), never the value. Shown as `(sensitive, from OPENAI_API_KEY)`.
   */
  readonly reference?: string;
  /** Why `_update` cannot apply this change at the cluster's version; present when it forces a replace. */
  readonly forces_replace?: string;
}

/** Pipelines and indices that use an endpoint (from `DELETE ... ?dry_run=true`). */
export interface References {
  readonly pipelines: readonly string[];
  readonly indexes: readonly string[];
}

export interface EndpointPlan {
  readonly inference_id: string;
  readonly action: Action;
  /** Task type and service after the change (before it, for deletes). */
  readonly task_type: TaskType | string;
  readonly service: string;
  /** One sentence per reason: why this action (e.g. `not in the cluster`, `removed from the declarations`). */
  readonly reasons: readonly string[];
  readonly changes: readonly FieldChange[];
  /** Only for replace and delete. */
  readonly references?: References;
  readonly warnings: readonly string[];
  /** The declaration to apply (create, update, replace); secrets as references. */
  readonly declared?: CanonicalEndpoint;
  /** Salted fingerprints of the declared secrets, by path, as resolved when planning. */
  readonly secret_fingerprints?: Readonly<Record<string, string>>;
}

export interface ClusterSummary {
  readonly url: string;
  readonly version: string;
  readonly serverless: boolean;
  readonly cluster_uuid: string;
  readonly cluster_name: string;
}

export interface Plan {
  readonly format_version: typeof PLAN_FORMAT_VERSION;
  readonly esinfer_version: string;
  readonly created_at: string;
  readonly stack: string;
  readonly cluster: ClusterSummary;
  readonly summary: Readonly<Record<Action, number>>;
  /** Sorted by inference_id; no-op endpoints included. */
  readonly endpoints: readonly EndpointPlan[];
  /** Stack-wide notes (unmanaged endpoints ignored, state entries forgotten, ...). */
  readonly warnings: readonly string[];
  /** What the plan was made against, for refusing a stale saved plan. */
  readonly basis: PlanBasis;
  /** Present when the plan covers part of the stack only. */
  readonly scope?: PlanScope;
}

/**
 * Which endpoints a plan covers, when not the whole stack (the Terraform hooks reconcile one endpoint at a time).
 * Endpoints outside the scope are neither planned nor forgotten from the state.
 */
export interface PlanScope {
  /** Only these inference ids. */
  readonly only?: readonly string[];
  /** Never these inference ids (declared elsewhere in the stack). */
  readonly except?: readonly string[];
}

/** Whether an inference id is within a plan's scope (every id when there is none). */
export function inScope(scope: PlanScope | undefined, id: string): boolean {
  if (!scope) return true;
  return (!scope.only || scope.only.includes(id)) && !(scope.except ?? []).includes(id);
}

export interface PlanBasis {
  /** SHA-256 of the live configurations of every endpoint the plan touches or keeps (plus cluster identity). */
  readonly live_digest: string;
  /** State lineage and serial the plan read. */
  readonly state_lineage: string;
  readonly state_serial: number;
}

export function hasChanges(plan: Pick<Plan, "endpoints">): boolean {
  return plan.endpoints.some((e) => e.action !== "no-op");
}
