/**
 * Computing a plan. `computePlan` is pure: given the declarations, the live endpoints, the stack's state and the
 * fingerprints of the declared secrets, it decides per endpoint one action and the field changes behind it.
 * Reading the cluster (once) and learning references (only for replaces and deletes) happen around it.
 */
import { createHash } from "node:crypto";
import { isPreconfiguredId } from "../catalogue";
import { unsupportedVersionReason, type ClusterInfo, type InferenceEndpoint } from "../client";
import { REDACTED, canonicalJson, isSecretValue, type ValidationIssue } from "../model";
import { secretReference } from "./secret-reference";
import { compareEndpoint, type SecretCheck } from "./compare";
import { endpointDigest } from "./live-digest";
import {
  PLAN_FORMAT_VERSION,
  type Action,
  type EndpointPlan,
  type FieldChange,
  type Plan,
  type PlanScope,
  type References,
  inScope,
} from "./plan-types";
import type { DeclaredEndpoint } from "./stack";
import { claimedBy, describeOwner, type Claim, type ClaimOwner } from "./ownership/claims";
import type { OwnedEndpoint, StackState } from "./state/types";

export interface LiveState {
  readonly info: ClusterInfo;
  /** Where the cluster is (no credentials), for the plan header. */
  readonly url: string;
  readonly endpoints: ReadonlyMap<string, InferenceEndpoint>;
}

export interface PlanInput {
  readonly stack: string;
  readonly declared: readonly DeclaredEndpoint[];
  readonly absent: readonly string[];
  readonly live: LiveState;
  readonly state: StackState;
  /** Per declared endpoint id. */
  readonly secrets: ReadonlyMap<string, SecretCheck>;
  readonly esinferVersion: string;
  readonly now?: Date;
  /** Plan only part of the stack (see `PlanScope`). */
  readonly scope?: PlanScope;
  /** The cluster's ownership claims of the endpoints the stack declares, owns or declares absent. */
  readonly claims: ReadonlyMap<string, Claim>;
  /** This stack, as claims name it. */
  readonly owner: ClaimOwner;
}

export interface PlanResult {
  readonly plan: Plan;
  /** Problems that make the plan impossible to apply (reported together; no plan is shown as applicable). */
  readonly errors: ValidationIssue[];
}

export function computePlan(input: PlanInput): PlanResult {
  const { live, state, scope } = input;
  const version = live.info.version;
  const errors: ValidationIssue[] = [];
  const warnings: string[] = [];
  const plans: EndpointPlan[] = [];
  const declaredIds = new Set(input.declared.map((d) => d.canonical.inference_id));

  const tooOld = unsupportedVersionReason(live.info);
  if (tooOld) errors.push({ endpoint: "cluster", path: "", message: tooOld });
  // A state that owns nothing any more may move to another cluster (a stack re-pointed by Terraform deletes all
  // its endpoints from the old cluster before creating any in the new one).
  const owns = Object.keys(state.endpoints).length > 0;
  if (owns && state.cluster_uuid && live.info.clusterUuid && state.cluster_uuid !== live.info.clusterUuid)
    errors.push({
      endpoint: "cluster",
      path: "",
      message: `the stack's state belongs to cluster ${state.cluster_uuid}, but this cluster is ${live.info.clusterUuid}: check the cluster URL, or use a separate state per cluster`,
    });

  const ownedEntry = (id: string) => (Object.hasOwn(state.endpoints, id) ? state.endpoints[id] : undefined);
  /** The claim of another stack on `id`, if any: such an endpoint is never this stack's to change. */
  const foreignClaim = (id: string) => {
    const claim = input.claims.get(id);
    return claim && !claimedBy(claim, input.owner) ? claim : undefined;
  };

  for (const d of input.declared) {
    const id = d.canonical.inference_id;
    if (!inScope(scope, id)) continue;
    const current = live.endpoints.get(id);
    const foreign = foreignClaim(id);
    if (foreign) {
      errors.push({
        endpoint: id,
        path: "inference_id",
        message:
          `is owned by ${describeOwner(foreign, input.owner)}: an endpoint has one owner, and stack ${input.stack} ` +
          `changes nothing of it. Remove it from this stack, or move its ownership here with ` +
          `\`esinfer import ${id} --from-stack ${foreign.stack}\` (stack ${foreign.stack}'s next plan then forgets it)`,
      });
      continue;
    }
    let owned = ownedEntry(id);
    const secrets = input.secrets.get(id) ?? { fingerprints: {}, unresolved: {} };
    const base = {
      inference_id: id,
      task_type: d.canonical.task_type,
      service: d.canonical.service,
      declared: d.canonical,
      secret_fingerprints: secrets.fingerprints,
    };

    if (!current) {
      const reason = !owned
        ? "not in the cluster"
        : owned.status === "creating"
          ? "an earlier create did not complete"
          : "missing from the cluster (deleted outside esinfer)";
      plans.push({
        ...base,
        action: "create",
        reasons: [reason],
        changes: additions(d),
        warnings: neededSecrets(secrets, "create"),
      });
      continue;
    }
    // An earlier create's outcome was lost: the endpoint is this stack's only if the cluster holds what was sent.
    if (owned?.status === "creating") {
      const sent = owned.declared as Partial<DeclaredEndpoint["canonical"]>;
      const mismatch = createMismatch(sent, current, version);
      const replaced = mismatch ? stillThePrevious(owned, current, version) : undefined;
      if (replaced) owned = replaced;
      else if (mismatch) {
        errors.push({
          endpoint: id,
          path: "inference_id",
          message:
            `exists in the cluster, but not as stack ${input.stack} sent it in a create whose outcome was lost ` +
            `(${mismatch}): someone else created it, and esinfer does not take it for its own. Import it with ` +
            `\`esinfer import ${id}\` if it is yours, or choose another inference_id`,
        });
        continue;
      } else owned = { ...owned, status: "applied" };
    }
    if (!owned) {
      errors.push({
        endpoint: id,
        path: "inference_id",
        message: `already exists in the cluster (${current.service} ${current.task_type}) and is not managed by stack ${input.stack}; adopt it with \`esinfer import ${id}\`, or choose another inference_id`,
      });
      continue;
    }

    const identity: FieldChange[] = [];
    if (current.service !== d.canonical.service)
      identity.push({
        path: "service",
        before: current.service,
        after: d.canonical.service,
        sensitive: false,
        forces_replace: "an endpoint's service cannot change",
      });
    if (current.task_type !== d.canonical.task_type)
      identity.push({
        path: "task_type",
        before: current.task_type,
        after: d.canonical.task_type,
        sensitive: false,
        forces_replace: "an endpoint's task type cannot change",
      });
    if (identity.length > 0) {
      plans.push({
        ...base,
        action: "replace",
        reasons: identity.map((c) => `${c.path} changes (${c.forces_replace})`),
        changes: [...identity, ...additions(d)],
        warnings: neededSecrets(secrets, "re-create"),
      });
      continue;
    }

    const { changes, warnings: notes } = compareEndpoint(d, current, owned, secrets, version);
    const forcing = changes.filter((c) => c.forces_replace);
    const action: Action = changes.length === 0 ? "no-op" : forcing.length > 0 ? "replace" : "update";
    const reasons =
      action === "replace"
        ? forcing.map((c) => `${c.path}: ${c.forces_replace}`)
        : action === "update"
          ? [
              `${changes.length} field${changes.length === 1 ? "" : "s"} differ${changes.length === 1 ? "s" : ""}; _update applies ${changes.length === 1 ? "it" : "all of them"}`,
            ]
          : [];
    plans.push({
      ...base,
      action,
      reasons,
      changes,
      warnings:
        action === "no-op"
          ? notes
          : [...notes, ...neededSecrets(secrets, action === "replace" ? "re-create" : "update")],
    });
  }

  for (const [id, owned] of Object.entries(state.endpoints)) {
    if (declaredIds.has(id) || input.absent.includes(id) || !inScope(scope, id)) continue;
    const current = live.endpoints.get(id);
    const foreign = foreignClaim(id);
    if (foreign)
      warnings.push(
        `${id}: now owned by ${describeOwner(foreign, input.owner)} (its ownership was moved there); this stack ` +
          `forgets it and deletes nothing`,
      );
    else if (owned.status === "imported")
      warnings.push(
        `${id}: imported but not declared yet: it is kept, never deleted, until you add its declaration (esinfer ` +
          `import printed it) or release it with \`esinfer state rm ${id}\``,
      );
    else if (
      current &&
      owned.status === "creating" &&
      createMismatch(owned.declared, current, version) &&
      !stillThePrevious(owned, current, version)
    )
      warnings.push(
        `${id}: an earlier create of it had a lost outcome, and the endpoint in the cluster is not what was sent: ` +
          `someone else's; this stack forgets it and deletes nothing`,
      );
    else if (current) plans.push(deletion(current, "removed from the declarations"));
    else
      warnings.push(
        `${id}: in the stack's state but neither declared nor in the cluster; it will be forgotten (${owned.service} ${owned.task_type})`,
      );
  }
  for (const id of input.absent) {
    if (!inScope(scope, id)) continue;
    const current = live.endpoints.get(id);
    const foreign = foreignClaim(id);
    if (foreign && current) {
      errors.push({
        endpoint: id,
        path: "absent",
        message:
          `is declared absent, but ${describeOwner(foreign, input.owner)} owns it: only its owner deletes it. ` +
          `Remove the tombstone, or delete it from stack ${foreign.stack}`,
      });
      continue;
    }
    if (current && !isPreconfiguredId(id)) plans.push(deletion(current, "declared absent"));
  }

  const unmanaged = [...live.endpoints.keys()].filter(
    (id) => !declaredIds.has(id) && !ownedEntry(id) && !input.absent.includes(id) && !isPreconfiguredId(id),
  );
  if (unmanaged.length > 0 && !scope)
    warnings.push(
      `${unmanaged.length} endpoint${unmanaged.length === 1 ? "" : "s"} in the cluster ${unmanaged.length === 1 ? "is" : "are"} not managed by this stack and left alone: ${preview(unmanaged)}`,
    );

  plans.sort((a, b) => (a.inference_id < b.inference_id ? -1 : a.inference_id > b.inference_id ? 1 : 0));
  const summary = { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 } as Record<Action, number>;
  for (const p of plans) summary[p.action]++;
  return {
    plan: {
      format_version: PLAN_FORMAT_VERSION,
      esinfer_version: input.esinferVersion,
      created_at: (input.now ?? new Date()).toISOString(),
      stack: input.stack,
      cluster: {
        url: live.url,
        version,
        serverless: live.info.serverless,
        cluster_uuid: live.info.clusterUuid,
        cluster_name: live.info.clusterName,
      },
      summary,
      endpoints: plans,
      warnings,
      basis: {
        live_digest: liveDigest(live, plans),
        state_lineage: state.lineage,
        state_serial: state.serial,
      },
      ...(scope ? { scope } : {}),
    },
    errors,
  };
}

/**
 * Why the live endpoint is not what a create sent (`sent`, the declaration recorded before it), or undefined when it
 * is. Secrets cannot be compared (the cluster never returns them); everything else must match.
 */
function createMismatch(
  sent: Readonly<Record<string, unknown>>,
  live: InferenceEndpoint,
  version: string,
): string | undefined {
  const declared = sent as Partial<DeclaredEndpoint["canonical"]>;
  if (declared.inference_id === undefined || declared.service === undefined)
    return "what was sent is not recorded (a state written by an older esinfer)";
  if (live.service !== declared.service || live.task_type !== declared.task_type)
    return `it is ${live.service} ${live.task_type}, ${declared.service} ${declared.task_type} was sent`;
  const { changes } = compareEndpoint(
    {
      canonical: declared as DeclaredEndpoint["canonical"],
      chunkingDeclared: declared.chunking_settings !== undefined,
    },
    live,
    undefined,
    { fingerprints: {}, unresolved: {} },
    version,
  );
  const differs = changes.filter((c) => !c.sensitive);
  return differs.length === 0
    ? undefined
    : `${differs.map((c) => c.path).join(", ")} differ${differs.length === 1 ? "s" : ""}`;
}

/**
 * Warnings for secrets that are not available where the plan is made (a pull-request plan without production
 * secrets): the plan is still made; apply needs them, and says so before any request.
 */
function neededSecrets(secrets: SecretCheck, action: string): string[] {
  return Object.entries(secrets.unresolved).map(
    ([path, why]) => `${path}: ${why}; apply needs it to ${action} the endpoint`,
  );
}

/**
 * For an interrupted replace (`creating` with `previous`): the endpoint it was replacing, as an applied entry, when
 * the cluster still holds that one (the run stopped before its delete); undefined otherwise.
 */
function stillThePrevious(owned: OwnedEndpoint, live: InferenceEndpoint, version: string): OwnedEndpoint | undefined {
  const previous = owned.previous;
  if (!previous) return undefined;
  const same =
    (previous.live !== undefined && previous.live === endpointDigest(live)) ||
    createMismatch(previous.declared, live, version) === undefined;
  if (!same) return undefined;
  const { previous: _previous, ...rest } = owned;
  return {
    ...rest,
    status: "applied",
    declared: previous.declared,
    secrets: {},
    ...(previous.live ? { live: previous.live } : {}),
  };
}

/** Every declared field as an addition (for creates and replaces). */
function additions(d: DeclaredEndpoint): FieldChange[] {
  const { service_settings, task_settings, chunking_settings } = d.canonical;
  const changes: FieldChange[] = [];
  addLeaves(changes, "service_settings", service_settings);
  if (Object.keys(task_settings).length > 0) addLeaves(changes, "task_settings", task_settings);
  // Chunking settings read as one value: their keys only mean something together.
  if (chunking_settings) changes.push({ path: "chunking_settings", after: chunking_settings, sensitive: false });
  return changes;
}

/** The leaves of a settings value, each as an addition at its path; secrets as `(sensitive)`. */
function addLeaves(changes: FieldChange[], path: string, value: unknown): void {
  if (isSecretValue(value)) changes.push({ path, after: REDACTED, sensitive: true, ...secretReference(value) });
  else if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0)
    for (const key of Object.keys(value)) addLeaves(changes, `${path}.${key}`, (value as Record<string, unknown>)[key]);
  else changes.push({ path, after: value, sensitive: false });
}

function deletion(current: InferenceEndpoint, reason: string): EndpointPlan {
  const changes: FieldChange[] = Object.entries(current.service_settings).map(([k, v]) => ({
    path: `service_settings.${k}`,
    before: v,
    sensitive: false,
  }));
  return {
    inference_id: current.inference_id,
    action: "delete",
    task_type: current.task_type,
    service: current.service,
    reasons: [reason],
    changes,
    warnings: [],
  };
}

/** A digest of what the plan was made against: cluster identity and the live configuration of every endpoint in it. */
export function liveDigest(live: LiveState, plans: readonly Pick<EndpointPlan, "inference_id">[]): string {
  const hash = createHash("sha256");
  hash.update(canonicalJson({ uuid: live.info.clusterUuid, version: live.info.version }));
  for (const id of plans.map((p) => p.inference_id).sort()) {
    const current = live.endpoints.get(id);
    hash.update(`\n${id}=${current ? endpointDigest(current) : "absent"}`);
  }
  return `sha256:${hash.digest("hex")}`;
}

/** Adds what a replace or delete would break: the pipelines and indices that use the endpoint. */
export function withReferences(plan: Plan, references: ReadonlyMap<string, References>): Plan {
  return {
    ...plan,
    endpoints: plan.endpoints.map((e) => {
      const refs = references.get(e.inference_id);
      if (!refs || (e.action !== "replace" && e.action !== "delete")) return e;
      const used = refs.pipelines.length > 0 || refs.indexes.length > 0;
      const warnings = used
        ? [...e.warnings, `in use: ${describeReferences(refs)}; apply refuses to ${e.action} it unless --allow-in-use`]
        : e.warnings;
      return { ...e, references: refs, warnings };
    }),
  };
}

export function describeReferences(refs: References): string {
  const parts: string[] = [];
  if (refs.pipelines.length) parts.push(`pipelines [${refs.pipelines.join(", ")}]`);
  if (refs.indexes.length) parts.push(`indexes [${refs.indexes.join(", ")}]`);
  return parts.join(" and ");
}

function preview(ids: string[]): string {
  return ids.length <= 5 ? ids.join(", ") : `${ids.slice(0, 5).join(", ")} and ${ids.length - 5} more`;
}
