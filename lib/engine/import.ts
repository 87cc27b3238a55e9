/**
 * Adopting existing endpoints: their live configuration becomes a declaration (request shape), with each secret a
 * reference to name (`{"env": "<ID>_API_KEY"}`), such that planning it right away shows no changes.
 */
import { getTaskSpec, infoOf, type TaskType } from "../catalogue";
import type { InferenceEndpoint } from "../client";
import {
  canonicalize,
  validateRequest,
  type CanonicalEndpoint,
  type EndpointRequest,
  type ValidationIssue,
} from "../model";
import { foldEnums, isPlainObject, settingsFacts, shapeOf } from "../model/schema-walk";

export interface ImportedEndpoint {
  /** The declaration, request shape, secrets as references to name. */
  readonly request: EndpointRequest & { inference_id: string; task_type: TaskType; service: string };
  readonly canonical: CanonicalEndpoint;
  /**
   * What the state records as last applied: the declaration without the values the server computed (similarity,
   * dimensions, ...), so that a declaration that leaves them out is not taken for one that removes them.
   */
  readonly lastApplied: CanonicalEndpoint;
  /** The environment variables the secret references use (to be set before the next apply that sends them). */
  readonly secretEnv: readonly string[];
  /** Anything that did not carry over (values the declaration model rejects). */
  readonly issues: readonly ValidationIssue[];
}

/** `MY-ENDPOINT_API_KEY` style names: the id upper-cased, non-alphanumerics as `_`. */
export function secretEnvName(inferenceId: string, field: string): string {
  return `${inferenceId}_${field}`.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

export function importDeclaration(live: InferenceEndpoint): ImportedEndpoint {
  const spec = getTaskSpec(live.service, live.task_type)!;
  const shape = shapeOf(spec.serviceSettings) ?? {};
  const serviceSettings = Object.create(null) as Record<string, unknown>;
  const secretEnv: string[] = [];
  const folded = foldEnums(spec.serviceSettings, live.service_settings) as Record<string, unknown>;
  for (const [key, value] of Object.entries(folded)) {
    if (!Object.hasOwn(shape, key) || spec.readOnly.includes(key)) continue; // read-only or unknown to this esinfer
    // The server names an in-cluster endpoint's own deployment after it; declaring that would be noise (and
    // removing it later a change).
    if (key === "deployment_id" && value === live.inference_id) continue;
    serviceSettings[key] = value;
  }
  // Secrets are never returned: declare the required ones as references (the first of an exactly-one group).
  for (const [key, field] of Object.entries(shape)) {
    const facts = infoOf(field);
    if (!facts.secret || Object.hasOwn(serviceSettings, key)) continue;
    const required = !field.safeParse(undefined).success;
    const firstOfGroup =
      key === "api_key" && spec.rules.some((r) => r.description.startsWith("exactly one of [api_key]"));
    if (!required && !firstOfGroup) continue;
    if (Object.hasOwn(live.service_settings, key) && isPlainObject(live.service_settings[key])) continue;
    const env = secretEnvName(live.inference_id, key);
    serviceSettings[key] = key === "secret_parameters" ? { api_key: { env } } : { env };
    secretEnv.push(env);
  }
  const request = {
    inference_id: live.inference_id,
    task_type: live.task_type,
    service: live.service,
    service_settings: serviceSettings,
    ...(live.task_settings && Object.keys(live.task_settings).length > 0
      ? { task_settings: foldEnums(spec.taskSettings, live.task_settings) }
      : {}),
    ...(spec.chunking && live.chunking_settings ? { chunking_settings: { ...live.chunking_settings } } : {}),
  } as ImportedEndpoint["request"];
  const result = validateRequest(request);
  const canonical = result.endpoint ? canonicalize(result.endpoint) : (request as unknown as CanonicalEndpoint);
  const { computed } = settingsFacts(spec.serviceSettings);
  const lastApplied = {
    ...canonical,
    service_settings: Object.fromEntries(Object.entries(canonical.service_settings).filter(([k]) => !computed.has(k))),
  };
  return { request, canonical, lastApplied, secretEnv, issues: result.issues };
}
