/**
 * Computing a plan. `computePlan` is pure: given the declarations, the live endpoints, the stack's state and the
 * fingerprints of the declared secrets, it decides per endpoint one action and the field changes behind it.
 * Reading the cluster (once) and learning references (only for replaces and deletes) happen around it.
 */
import { createHash } from "node:crypto";
import { isPreconfiguredId } from "../catalogue";
import { unsupportedVersionReason, type ClusterInfo, type InferenceEndpoint } from "../client";
import { REDACTED, canonicalJson, isSecretValue, type ValidationIssue } from "../model";
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
import type { StackState } from "./state/types";

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

  for (const d of input.declared) {
    const id = d.canonical.inference_id;
    if (!inScope(scope, id)) continue;
    const current = live.endpoints.get(id);
    const owned = state.endpoints[id];
    const secrets = input.secrets.get(id) ?? { fingerprints: {}, unresolved: {} };
    const base = {
      inference_id: id,
      task_type: d.canonical.task_type,
      service: d.canonical.service,
      declared: d.canonical,
      secret_fingerprints: secrets.fingerprints,
    };

    if (!current) {
      for (const [path, why] of Object.entries(secrets.unresolved))
        errors.push({ endpoint: id, path, message: `is needed to create the endpoint: ${why}` });
      const reason = !owned
        ? "not in the cluster"
        : owned.status === "creating"
          ? "an earlier create did not complete"
          : "missing from the cluster (deleted outside esinfer)";
      plans.push({ ...base, action: "create", reasons: [reason], changes: additions(d), warnings: [] });
      continue;
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
      for (const [path, why] of Object.entries(secrets.unresolved))
        errors.push({ endpoint: id, path, message: `is needed to re-create the endpoint: ${why}` });
      plans.push({
        ...base,
        action: "replace",
        reasons: identity.map((c) => `${c.path} changes (${c.forces_replace})`),
        changes: [...identity, ...additions(d)],
        warnings: [],
      });
      continue;
    }

    const { changes, warnings: notes } = compareEndpoint(d, current, owned, secrets, version);
    const forcing = changes.filter((c) => c.forces_replace);
    const action: Action = changes.length === 0 ? "no-op" : forcing.length > 0 ? "replace" : "update";
    if (action !== "no-op")
      for (const [path, why] of Object.entries(secrets.unresolved))
        errors.push({ endpoint: id, path, message: `is needed to ${action} the endpoint: ${why}` });
    const reasons =
      action === "replace"
        ? forcing.map((c) => `${c.path}: ${c.forces_replace}`)
        : action === "update"
          ? [
              `${changes.length} field${changes.length === 1 ? "" : "s"} differ${changes.length === 1 ? "s" : ""}; _update applies ${changes.length === 1 ? "it" : "all of them"}`,
            ]
          : [];
    plans.push({ ...base, action, reasons, changes, warnings: notes });
  }

  for (const [id, owned] of Object.entries(state.endpoints)) {
    if (declaredIds.has(id) || input.absent.includes(id) || !inScope(scope, id)) continue;
    const current = live.endpoints.get(id);
    if (current) plans.push(deletion(current, "removed from the declarations"));
    else
      warnings.push(
        `${id}: in the stack's state but neither declared nor in the cluster; it will be forgotten (${owned.service} ${owned.task_type})`,
      );
  }
  for (const id of input.absent) {
    if (!inScope(scope, id)) continue;
    const current = live.endpoints.get(id);
    if (current && !isPreconfiguredId(id)) plans.push(deletion(current, "declared absent"));
  }

  const unmanaged = [...live.endpoints.keys()].filter(
    (id) => !declaredIds.has(id) && !state.endpoints[id] && !input.absent.includes(id) && !isPreconfiguredId(id),
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
        ...(state.serial === 0 ? { state_salt: state.salt } : {}),
      },
      ...(scope ? { scope } : {}),
    },
    errors,
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
  if (isSecretValue(value)) changes.push({ path, after: REDACTED, sensitive: true });
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
      const warnings = [...e.warnings];
      if (used) {
        warnings.push(`in use: ${describeReferences(refs)}; apply refuses to ${e.action} it unless --allow-in-use`);
        if (e.action === "replace" && refs.indexes.length > 0) {
          const mappingSensitive = e.changes.filter((c) =>
            [
              "task_type",
              "service_settings.dimensions",
              "service_settings.similarity",
              "service_settings.element_type",
              "service_settings.embedding_type",
            ].includes(c.path),
          );
          if (mappingSensitive.length > 0)
            warnings.push(
              `semantic_text mappings in ${refs.indexes.join(", ")} depend on ${mappingSensitive.map((c) => c.path).join(", ")}: after the replace those fields no longer match the endpoint (recent Elasticsearch versions refuse the re-create); consider a new inference_id and a reindex`,
            );
        }
      }
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
