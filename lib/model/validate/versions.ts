/**
 * What depends on the target Elasticsearch version: the service, task type, fields and chunking strategy exist
 * there. Also the deprecation warnings, which the catalogue records per service and field.
 */
import {
  formatSince,
  getService,
  getTaskSpec,
  isAtLeast,
  taskSince,
  type ChunkingStrategy,
  type ServiceName,
  type TaskSpec,
  type TaskType,
} from "../../catalogue";
import type { ValidationIssue } from "../issues";
import { settingsFacts } from "../schema-walk";
import { checkChunkingLimits } from "./chunking";
import { add, type Context } from "./context";
import type { ValidatedEndpoint } from "./endpoint";

export function checkVersions(
  ctx: Context,
  service: ServiceName,
  taskType: TaskType,
  spec: TaskSpec,
  settings: Readonly<Record<string, unknown>>,
) {
  const version = ctx.options.esVersion;
  if (!version) return;
  const serviceSpec = getService(service)!;
  if (!isAtLeast(version, serviceSpec.since)) {
    add(
      ctx,
      "service",
      `${service} needs Elasticsearch ${formatSince(serviceSpec.since)} or later (target is ${version})`,
    );
    return;
  }
  const since = taskSince(service, taskType)!;
  if (!isAtLeast(version, since))
    add(
      ctx,
      "task_type",
      `${service} ${taskType} needs Elasticsearch ${formatSince(since)} or later (target is ${version})`,
    );
  const fieldsSince = settingsFacts(spec.serviceSettings).since;
  for (const key of Object.keys(settings)) {
    const fieldSince = fieldsSince.get(key);
    if (fieldSince && !isAtLeast(version, fieldSince))
      add(
        ctx,
        `service_settings.${key}`,
        `needs Elasticsearch ${formatSince(fieldSince)} or later (target is ${version})`,
      );
  }
}

export function warnDeprecations(
  ctx: Context,
  service: ServiceName,
  spec: TaskSpec,
  settings: Readonly<Record<string, unknown>>,
) {
  const serviceSpec = getService(service)!;
  if (serviceSpec.deprecated)
    ctx.warnings.push({ endpoint: ctx.endpoint, path: "service", message: serviceSpec.deprecated });
  const deprecatedFields = settingsFacts(spec.serviceSettings).deprecated;
  for (const key of Object.keys(settings)) {
    const deprecated = deprecatedFields.get(key);
    if (deprecated)
      ctx.warnings.push({
        endpoint: ctx.endpoint,
        path: `service_settings.${key}`,
        message: `is deprecated: ${deprecated}`,
      });
  }
}

/**
 * The checks of `validateRequest` that depend on the target version, for an endpoint validated already (without a
 * version): the service, the task type, the fields and the chunking strategy exist there, and the size cap.
 * The plan runs these against the cluster's version instead of validating everything a second time.
 */
export function versionIssues(endpoint: ValidatedEndpoint, esVersion: string): ValidationIssue[] {
  const ctx: Context = { endpoint: endpoint.inference_id, options: { esVersion }, issues: [], warnings: [] };
  const spec = getTaskSpec(endpoint.service, endpoint.task_type)!;
  checkVersions(ctx, endpoint.service, endpoint.task_type, spec, endpoint.service_settings);
  const chunking = endpoint.chunking_settings;
  if (chunking?.strategy)
    checkChunkingLimits(
      ctx,
      endpoint.service,
      endpoint.service_settings,
      chunking.strategy as ChunkingStrategy,
      chunking as Readonly<Record<string, unknown>>,
    );
  return ctx.issues;
}
