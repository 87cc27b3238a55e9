/**
 * Drift markers: what makes `terraform plan` see an endpoint that changed outside Terraform. Each endpoint record
 * carries `last_drift`. While the endpoint is as the stack last applied it, `last_drift` is the value recorded in
 * the stack's state at that apply (so re-planning after an apply shows no changes). When the cluster no longer
 * holds what was applied (a setting changed, the endpoint deleted, a secret rotated), it becomes a new value: a
 * digest of the recorded marker and of what was observed, with a sentence saying what drifted, so the record shows
 * an in-place change and the runner is replaced. The runner's apply repairs the endpoint and records the new value.
 *
 * Only endpoints whose declaration is the one last applied are judged: when the declaration changed, Terraform
 * shows that change already, and the apply that carries it out repairs whatever drifted too.
 */
import { hash } from "node:crypto";
import { compareEndpoint, type DeclaredEndpoint, type LiveState, type SecretCheck, type StackState } from "../engine";
import { endpointDigest } from "../engine/live-digest";
import { canonicalJson, jsonEqual } from "../model";
import { NO_DRIFT } from "./hook-contract";

export interface DriftInput {
  readonly declared: readonly DeclaredEndpoint[];
  readonly state: StackState;
  readonly live: LiveState;
  /** Fingerprints of the declared secrets as resolved where the app synthesizes, by inference id. */
  readonly secrets: ReadonlyMap<string, SecretCheck>;
}

/** Each declared endpoint's `last_drift`, by inference id. */
export function driftMarkers(input: DriftInput): Map<string, string> {
  const markers = new Map<string, string>();
  for (const d of input.declared) {
    const id = d.canonical.inference_id;
    const owned = Object.hasOwn(input.state.endpoints, id) ? input.state.endpoints[id] : undefined;
    const recorded = owned?.marker ?? NO_DRIFT;
    markers.set(id, recorded);
    if (!owned || owned.status === "creating" || !jsonEqual(owned.declared, d.canonical)) continue;
    const current = input.live.endpoints.get(id);
    const secrets = input.secrets.get(id) ?? { fingerprints: {}, unresolved: {} };
    const drifted = current
      ? whatDrifted(d, current, owned, secrets, input.live.info.version)
      : "deleted outside Terraform";
    if (!drifted) continue;
    const observed = [recorded, current ? endpointDigest(current) : "absent", canonicalJson(secrets.fingerprints)];
    markers.set(id, `drift ${hash("sha256", observed.join("\n")).slice(0, 12)}: ${drifted}`);
  }
  return markers;
}

/** What differs from the last apply, as a sentence; undefined when nothing does. */
function whatDrifted(
  d: DeclaredEndpoint,
  current: Parameters<typeof compareEndpoint>[1],
  owned: Parameters<typeof compareEndpoint>[2],
  secrets: SecretCheck,
  version: string,
): string | undefined {
  if (current.service !== d.canonical.service || current.task_type !== d.canonical.task_type)
    return `re-created outside Terraform as ${current.service} ${current.task_type}`;
  const { changes } = compareEndpoint(d, current, owned, secrets, version);
  const changed = changes.filter((c) => !c.sensitive).map((c) => c.path);
  const rotated = changes.filter((c) => c.sensitive).map((c) => c.path);
  const parts = [
    ...(changed.length > 0 ? [`${list(changed)} changed outside Terraform`] : []),
    ...(rotated.length > 0 ? [`${list(rotated)} rotated`] : []),
  ];
  return parts.length > 0 ? parts.join("; ") : undefined;
}

const list = (paths: readonly string[]) =>
  paths.length <= 3 ? paths.join(", ") : `${paths.slice(0, 3).join(", ")} and ${paths.length - 3} more`;
