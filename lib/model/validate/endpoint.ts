/**
 * Validation of one endpoint declaration in request shape, and of several (duplicate ids). Reports every problem at
 * once, each with the endpoint, the field path (`service_settings.model_id`), what is wrong and what is allowed,
 * using the catalogue's facts. Keys are data: they are looked up as own properties only.
 */
import {
  SERVICE_NAMES,
  TASK_TYPES,
  getTaskSpec,
  INFERENCE_ID_RULE,
  inferenceIdConflict,
  inferenceIdProblems,
  isServiceName,
  taskTypesOf,
  type ChunkingSettings,
  type ServiceName,
  type TaskSpec,
  type TaskType,
} from "../../catalogue";
import type { ValidationIssue } from "../issues";
import { didYouMean } from "../suggest";
import { foldEnums, isPlainObject, shapeOf } from "../schema-walk";
import { validateChunking } from "./chunking";
import { add, describeAllowed, kindOf, listOf, preview, type Context, type ValidateOptions } from "./context";
import { placeholdersForLiterals, prepareSecrets, restoreLiterals } from "./literal-secrets";
import { checkVersions, warnDeprecations } from "./versions";
import { parseInto, schemaAt, type DescribeUnknown } from "./zod-issues";

/** A valid endpoint in request shape, enum values folded to the catalogue's spelling, secrets as references. */
export interface ValidatedEndpoint {
  readonly inference_id: string;
  readonly task_type: TaskType;
  readonly service: ServiceName;
  readonly service_settings: Readonly<Record<string, unknown>>;
  /** `{}` when none were declared. */
  readonly task_settings: Readonly<Record<string, unknown>>;
  /** As declared; undefined when not declared (or declared `{}`, which the server treats the same). */
  readonly chunking_settings?: ChunkingSettings;
}

export interface ValidationResult {
  /** Present only when there are no issues. */
  readonly endpoint?: ValidatedEndpoint;
  readonly issues: readonly ValidationIssue[];
  /** Accepted but worth knowing (deprecations). */
  readonly warnings: readonly ValidationIssue[];
}

const TOP_LEVEL_KEYS = [
  "inference_id",
  "task_type",
  "service",
  "service_settings",
  "task_settings",
  "chunking_settings",
];

/** `object[key]` when it is the object's own property: `constructor` or `toString` are just unknown names. */
const own = (object: Readonly<Record<string, unknown>>, key: string): unknown =>
  Object.hasOwn(object, key) ? object[key] : undefined;

/** Validates one endpoint in request shape. */
export function validateRequest(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const label = options.label ?? "endpoint";
  const rawId = isPlainObject(input) ? own(input, "inference_id") : undefined;
  const ctx: Context = {
    endpoint: typeof rawId === "string" && rawId ? rawId : label,
    options,
    issues: [],
    warnings: [],
  };
  if (!isPlainObject(input)) {
    add(ctx, "", `must be an object with ${listOf(TOP_LEVEL_KEYS.slice(0, 4))}, got ${kindOf(input)}`);
    return { issues: ctx.issues, warnings: ctx.warnings };
  }

  for (const key of Object.keys(input).filter((k) => !TOP_LEVEL_KEYS.includes(k)))
    add(ctx, key, "is not an endpoint field", {
      hint: didYouMean(key, TOP_LEVEL_KEYS),
      allowed: listOf(TOP_LEVEL_KEYS),
    });

  const inferenceId = checkInferenceId(ctx, rawId);
  const taskType = checkTaskType(ctx, own(input, "task_type"));
  const service = checkService(ctx, own(input, "service"));

  let spec: TaskSpec | undefined;
  if (service && taskType) {
    spec = getTaskSpec(service, taskType);
    if (!spec) {
      const others = SERVICE_NAMES.filter((s) => getTaskSpec(s, taskType));
      add(ctx, "task_type", `${service} does not support ${taskType}`, {
        allowed: listOf(taskTypesOf(service)),
        hint: `services with ${taskType}: ${listOf(others)}`,
      });
    }
  }

  // settings objects
  const rawSS = own(input, "service_settings");
  // Described only when reported (it lists every setting).
  const settingsAllowed = () => (spec ? describeAllowed(ctx, spec.serviceSettings, "service_settings") : "an object");
  if (rawSS === undefined) add(ctx, "service_settings", "is required", { allowed: settingsAllowed() });
  else if (!isPlainObject(rawSS))
    add(ctx, "service_settings", `must be an object, got ${kindOf(rawSS)}`, { allowed: settingsAllowed() });
  const rawTS = own(input, "task_settings");
  if (rawTS !== undefined && !isPlainObject(rawTS))
    add(ctx, "task_settings", `must be an object, got ${kindOf(rawTS)}`);
  const rawChunking = own(input, "chunking_settings");

  let serviceSettings: Record<string, unknown> | undefined;
  let taskSettings: Record<string, unknown> | undefined = {};
  let chunking: ChunkingSettings | undefined;
  if (service && taskType && spec) {
    const ss = isPlainObject(rawSS) ? rawSS : undefined;
    if (ss) serviceSettings = checkServiceSettings(ctx, service, taskType, spec, ss);
    // An absent task_settings object is checked as {} so required task settings (Anthropic's max_tokens) are reported.
    if (rawTS === undefined || isPlainObject(rawTS))
      taskSettings = parseInto(
        ctx,
        "task_settings",
        spec.taskSettings,
        foldEnums(spec.taskSettings, rawTS ?? {}),
        unknownSettingOf(service, taskType, "task_settings"),
      ) as Record<string, unknown> | undefined;
    chunking = validateChunking(ctx, service, taskType, spec, rawChunking, ss);
    if (ss) checkRules(ctx, service, taskType, spec, inferenceId, ss, isPlainObject(rawTS) ? rawTS : {});
    checkVersions(ctx, service, taskType, spec, ss ?? {});
    warnDeprecations(ctx, service, spec, ss ?? {});
  } else if (rawChunking !== undefined && !isPlainObject(rawChunking)) {
    add(ctx, "chunking_settings", `must be an object, got ${kindOf(rawChunking)}`);
  }

  if (ctx.issues.length > 0 || !service || !taskType || !serviceSettings || !taskSettings || inferenceId === undefined)
    return { issues: ctx.issues, warnings: ctx.warnings };
  const endpoint: ValidatedEndpoint = {
    inference_id: inferenceId,
    task_type: taskType,
    service,
    service_settings: serviceSettings,
    task_settings: taskSettings,
    ...(chunking ? { chunking_settings: chunking } : {}),
  };
  return { endpoint, issues: [], warnings: ctx.warnings };
}

/** The id when it is a string (its problems reported), else undefined. */
function checkInferenceId(ctx: Context, inferenceId: unknown): string | undefined {
  if (inferenceId === undefined) add(ctx, "inference_id", "is required", { allowed: INFERENCE_ID_RULE });
  else if (typeof inferenceId !== "string")
    add(ctx, "inference_id", `must be a string, got ${kindOf(inferenceId)}`, { allowed: INFERENCE_ID_RULE });
  else {
    for (const problem of inferenceIdProblems(inferenceId))
      add(ctx, "inference_id", problem.message, {
        hint: problem.suggestion && `did you mean "${problem.suggestion}"?`,
        allowed: problem.allowed,
      });
    return inferenceId;
  }
  return undefined;
}

/** The task type, trimmed and lower-cased as the server reads it; undefined when it is not one. */
function checkTaskType(ctx: Context, rawTask: unknown): TaskType | undefined {
  if (rawTask === undefined) add(ctx, "task_type", "is required", { allowed: listOf(TASK_TYPES) });
  else if (typeof rawTask !== "string")
    add(ctx, "task_type", `must be a string, got ${kindOf(rawTask)}`, { allowed: listOf(TASK_TYPES) });
  else {
    const folded = rawTask.trim().toLowerCase();
    if ((TASK_TYPES as readonly string[]).includes(folded)) return folded as TaskType;
    add(ctx, "task_type", `is not a task type: ${preview(rawTask)}`, {
      allowed: listOf(TASK_TYPES),
      hint: didYouMean(rawTask, TASK_TYPES),
    });
  }
  return undefined;
}

function checkService(ctx: Context, rawService: unknown): ServiceName | undefined {
  if (rawService === undefined) add(ctx, "service", "is required", { allowed: listOf(SERVICE_NAMES) });
  else if (typeof rawService !== "string") add(ctx, "service", `must be a string, got ${kindOf(rawService)}`);
  else if (!isServiceName(rawService))
    add(ctx, "service", `is not an Elasticsearch inference service: ${preview(rawService)}`, {
      allowed: listOf(SERVICE_NAMES),
      hint: didYouMean(rawService, SERVICE_NAMES),
    });
  else return (ctx.service = rawService);
  return undefined;
}

/** Service settings checked against the schema, literal secrets refused or wrapped; undefined when invalid. */
function checkServiceSettings(
  ctx: Context,
  service: ServiceName,
  taskType: TaskType,
  spec: TaskSpec,
  raw: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const { prepared, literals } = prepareSecrets(
    ctx,
    spec,
    foldEnums(spec.serviceSettings, raw) as Record<string, unknown>,
  );
  const parsed = parseInto(
    ctx,
    "service_settings",
    spec.serviceSettings,
    literals ? placeholdersForLiterals(prepared) : prepared,
    unknownSettingOf(service, taskType, "service_settings"),
  ) as Record<string, unknown> | undefined;
  return parsed && literals ? restoreLiterals(parsed, prepared) : parsed;
}

/** An unknown setting: one of another task type of the service (say which), or not a setting at all. */
function unknownSettingOf(
  service: ServiceName,
  taskType: TaskType,
  scope: "service_settings" | "task_settings",
): DescribeUnknown {
  return (key, allowed) => {
    const elsewhere = taskTypesOf(service).filter((t) => {
      if (t === taskType) return false;
      const other = getTaskSpec(service, t)!;
      const shape = shapeOf(scope === "service_settings" ? other.serviceSettings : other.taskSettings);
      return shape !== undefined && Object.hasOwn(shape, key);
    });
    return {
      message: elsewhere.length
        ? `applies only to ${service} ${listOf(elsewhere)} endpoints, not ${taskType}`
        : `is not a ${scope === "service_settings" ? "service" : "task"} setting of ${service} ${taskType}`,
      allowed: allowed.length ? listOf(allowed) : "none",
    };
  };
}

/** The catalogue's cross-field rules, and its rule on the ids an in-cluster endpoint may not take. */
function checkRules(
  ctx: Context,
  service: ServiceName,
  taskType: TaskType,
  spec: TaskSpec,
  inferenceId: string | undefined,
  serviceSettings: Record<string, unknown>,
  taskSettings: Record<string, unknown>,
) {
  const ruleInput = { task_type: taskType, service_settings: serviceSettings, task_settings: taskSettings };
  const reported = new Set(ctx.issues.map((i) => i.path));
  for (const r of spec.rules)
    for (const issue of r.check(ruleInput))
      if (!reported.has(issue.path))
        add(ctx, issue.path, issue.message, {
          // A missing field's type is what is allowed; other rule messages say it themselves.
          allowed:
            issue.allowed ??
            (issue.message.startsWith("is required") ? allowedAtPath(ctx, spec, issue.path) : undefined),
        });
  const conflict = inferenceId === undefined ? undefined : inferenceIdConflict(service, inferenceId, serviceSettings);
  if (conflict) add(ctx, "inference_id", conflict);
}

/** What the field at a request-shape path accepts (`service_settings.element_type` -> its enum). */
function allowedAtPath(ctx: Context, spec: TaskSpec, path: string): string | undefined {
  const [scope, ...rest] = path.split(".");
  const root =
    scope === "service_settings" ? spec.serviceSettings : scope === "task_settings" ? spec.taskSettings : undefined;
  return root && rest.length ? describeAllowed(ctx, schemaAt(root, rest), path) : undefined;
}

/** Validates several endpoints, adding an issue for every `inference_id` declared more than once. */
export function validateRequests(
  inputs: readonly unknown[],
  options: ValidateOptions = {},
): {
  endpoints: ValidatedEndpoint[];
  issues: ValidationIssue[];
  warnings: ValidationIssue[];
} {
  const endpoints: ValidatedEndpoint[] = [];
  const issues: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  inputs.forEach((input, index) => {
    const result = validateRequest(input, {
      ...options,
      label: options.label ? `${options.label}[${index}]` : `endpoints[${index}]`,
    });
    issues.push(...result.issues);
    warnings.push(...result.warnings);
    if (result.endpoint) endpoints.push(result.endpoint);
    const id = isPlainObject(input) ? own(input, "inference_id") : undefined;
    if (typeof id === "string") {
      const first = seen.get(id);
      if (first !== undefined)
        issues.push({
          endpoint: id,
          path: "inference_id",
          message: `is declared twice (endpoints[${first}] and endpoints[${index}])`,
          allowed: "one declaration per inference_id",
        });
      else seen.set(id, index);
    }
  });
  return { endpoints: issues.length ? [] : endpoints, issues, warnings };
}
