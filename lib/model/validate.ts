/**
 * Validation of endpoint declarations in request shape. Reports every problem at once, each with the endpoint,
 * the field path (`service_settings.model_id`), what is wrong and what is allowed, using the catalogue's facts.
 */
import { z } from "zod";
import {
  CHUNKING_SCHEMAS,
  CHUNKING_STRATEGIES,
  ELSER_MAX_CHUNK_SIZE,
  MAX_CHUNK_SIZE_CAP,
  SERVICE_NAMES,
  STRATEGY_FACTS,
  TASK_TYPES,
  formatSince,
  getService,
  getTaskSpec,
  infoOf,
  INFERENCE_ID_RULE,
  inferenceIdProblems,
  isAtLeast,
  isSecretRef,
  isServiceName,
  taskSince,
  taskTypesOf,
  type ChunkingSettings,
  type ChunkingStrategy,
  type ServiceName,
  type TaskSpec,
  type TaskType,
} from "../catalogue";
import type { ValidationIssue } from "./issues";
import { LiteralSecret } from "./secrets";
import { didYouMean } from "./suggest";
import { foldEnums, isPlainObject, settingsFacts, shapeOf, unwrap } from "./schema-walk";

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

export interface ValidateOptions {
  /** Target Elasticsearch version: also checks that the service, task type, fields and chunking exist there. */
  readonly esVersion?: string;
  /**
   * `reject` (default): secrets must be references; a literal is an error that says how to reference it.
   * `accept`: a literal is accepted as in a request body, and held as a `LiteralSecret` that never prints.
   */
  readonly literalSecrets?: "accept" | "reject";
  /** How to name the endpoint in issues when its `inference_id` is missing or invalid. */
  readonly label?: string;
  /** Whether the input was written in TypeScript (messages then show `secret.env(...)` first). */
  readonly source?: "typescript" | "json";
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

type Scope = "service_settings" | "task_settings" | "chunking_settings";

interface Context {
  readonly endpoint: string;
  /** The declared service, once known: names the suggested environment variable (`OPENAI_API_KEY`). */
  service?: string;
  readonly options: ValidateOptions;
  readonly issues: ValidationIssue[];
  readonly warnings: ValidationIssue[];
}

function add(ctx: Context, path: string, message: string, extra: { allowed?: string; hint?: string } = {}) {
  ctx.issues.push({ endpoint: ctx.endpoint, path, message, ...extra });
}

const listOf = (values: readonly string[]) => values.join(", ");

/** A short, single-line preview of a non-secret value for messages. */
function preview(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${preview(value)}`;
}

function referenceAdvice(ctx: Context, path: string): string {
  const field = path.split(".").pop()!;
  const name = [ctx.service, field]
    .filter(Boolean)
    .join("_")
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, "_");
  const ts = `secret.env("${name}")`;
  const json = `{"env": "${name}"} or {"file": "/path/to/${name.toLowerCase()}"}`;
  return ctx.options.source === "typescript" ? `${ts} (or secret.file(path))` : `${json}`;
}

/** What a field accepts, in words, from its schema (for the "allowed" part of an issue). */
function describeAllowed(ctx: Context, schema: z.ZodType | undefined, path: string): string | undefined {
  if (infoOf(schema).secret) return `a secret reference: ${referenceAdvice(ctx, path)}`;
  const s = unwrap(schema);
  if (s instanceof z.ZodEnum) return listOf((s.options as readonly unknown[]).map(String));
  if (s instanceof z.ZodString) return s.safeParse("").success ? "a string" : "a non-empty string";
  if (s instanceof z.ZodBoolean) return "true or false";
  if (s instanceof z.ZodNumber) return describeNumber(s);
  if (s instanceof z.ZodObject) {
    const keys = Object.keys(s.shape as object);
    return keys.length ? `an object with ${listOf(keys)}` : "an empty object";
  }
  if (s instanceof z.ZodRecord) return "an object of name/value pairs";
  if (s instanceof z.ZodArray)
    return unwrap(s.element as z.ZodType) instanceof z.ZodTuple ? "a list of [name, value] pairs" : "a list of strings";
  if (s instanceof z.ZodUnion) {
    const literals = (s.options as z.ZodType[]).map((o) => (o instanceof z.ZodLiteral ? o.value : undefined));
    if (literals.every((v) => v !== undefined)) return literals.map(String).join(" or ");
  }
  return undefined;
}

function describeNumber(s: z.ZodNumber): string {
  const min = s.minValue ?? -Infinity;
  const max = s.maxValue !== null && s.maxValue < Number.MAX_SAFE_INTEGER ? s.maxValue : undefined;
  if (!s.isInt) return max !== undefined ? `a number from ${min.toFixed(1)} to ${max.toFixed(1)}` : "a number";
  if (max !== undefined) return `an integer from ${min} to ${max}`;
  if (min === 0) return s.safeParse(0).success ? "an integer of 0 or more" : "a positive integer";
  return min > 0 ? `an integer of at least ${min}` : "an integer";
}

// ---------------------------------------------------------------------------------------------------------------
// zod issues to esinfer issues

/** Messages for zod's built-in checks when a schema did not set its own. Values are added later, where safe. */
function zodMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "is required" : `must be ${article(issue.expected)}`;
    case "too_small":
      if (issue.origin === "string") return "must be a non-empty string";
      if (issue.origin === "array")
        return `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`;
      return `must be ${issue.inclusive ? "at least" : "greater than"} ${issue.minimum}`;
    case "too_big":
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
    case "invalid_value":
      // zod reports a missing enum field as an invalid value of `undefined`
      return issue.input === undefined ? "is required" : "is not an accepted value";
    case "invalid_union":
      return "has the wrong shape";
    default:
      return undefined;
  }
}

function article(expected: string): string {
  if (expected === "int") return "an integer";
  if (expected === "object" || expected === "array") return `an ${expected}`;
  if (expected === "tuple") return "a [key, value] pair";
  return `a ${expected}`;
}

/** The schema at a path inside an object schema (for allowed-key lists and secrecy). */
function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  for (const key of path) {
    const u = unwrap(s);
    if (u instanceof z.ZodObject) s = (u.shape as Record<string, z.ZodType>)[String(key)];
    else if (u instanceof z.ZodRecord) s = u.valueType as z.ZodType;
    else if (u instanceof z.ZodArray) s = u.element as z.ZodType;
    else if (u instanceof z.ZodTuple) s = u.def.items[Number(key)] as z.ZodType | undefined;
    else return undefined;
  }
  return s;
}

function isSecretPath(root: z.ZodType, path: readonly PropertyKey[]): boolean {
  for (let i = 1; i <= path.length; i++) if (infoOf(schemaAt(root, path.slice(0, i))).secret) return true;
  return false;
}

function parseInto(
  ctx: Context,
  scope: Scope,
  schema: z.ZodType,
  value: unknown,
  describeUnknown: (key: string, allowed: string[]) => { message: string; hint?: string; allowed?: string },
): unknown {
  const result = schema.safeParse(value, { reportInput: true, error: zodMessage });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const at = issue.path;
    const base = [scope, ...at.map(String)].join(".");
    if (issue.code === "unrecognized_keys") {
      const allowed = Object.keys(shapeOf(schemaAt(schema, at)) ?? {});
      for (const key of issue.keys) {
        const d = describeUnknown(at.length === 0 ? key : `${at.join(".")}.${key}`, allowed);
        add(ctx, `${base}.${key}`, d.message, {
          hint: d.hint ?? didYouMean(key, allowed),
          allowed: d.allowed ?? listOf(allowed),
        });
      }
      continue;
    }
    const secret = isSecretPath(schema, at);
    const input = (issue as { input?: unknown }).input;
    let message = issue.message;
    const extra: { allowed?: string; hint?: string } = {};
    if (issue.code === "invalid_value") {
      const values = issue.values.map(String);
      extra.allowed = listOf(values);
      if (!secret && typeof input === "string") extra.hint = didYouMean(input, values);
      if (!secret && input !== undefined) message += `: ${preview(input)}`;
    } else if (secret && input === undefined) {
      message = "is required";
      extra.allowed = `a secret reference: ${referenceAdvice(ctx, base)}`;
    } else if (secret && issue.code === "invalid_union") {
      message = "must be a secret reference";
      extra.allowed = referenceAdvice(ctx, base);
    } else if (issue.code === "invalid_type" && input !== undefined && !secret) {
      message += `, got ${kindOf(input)}`;
    } else if (issue.code === "invalid_type" && input === undefined) {
      const description = infoOf(schemaAt(schema, at)).description;
      if (description) message += ` (${description.charAt(0).toLowerCase()}${description.slice(1).replace(/\.$/, "")})`;
    } else if ((issue.code === "too_small" || issue.code === "too_big") && !secret && typeof input === "number") {
      message += `, got ${input}`;
    }
    // Custom checks (overlap at most half, exclusive keys) state their constraint; the field's type would mislead.
    if (extra.allowed === undefined && issue.code !== "custom") {
      // Say what is accepted, unless the message already says exactly that ("must be a positive integer, got -1").
      const allowed = describeAllowed(ctx, schemaAt(schema, at), base);
      if (allowed && !message.includes(allowed)) extra.allowed = allowed;
    }
    add(ctx, base, message, extra);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// secrets

/**
 * Literal secrets: rejected with advice (default), or wrapped so they never print. Returns settings in which each
 * secret is a reference or a `LiteralSecret` (and whether there is any), ready for the zod schema (which checks
 * references).
 */
function prepareSecrets(
  ctx: Context,
  spec: TaskSpec,
  settings: Record<string, unknown>,
): { prepared: Record<string, unknown>; literals: boolean } {
  const out: Record<string, unknown> = { ...settings };
  const accept = ctx.options.literalSecrets === "accept";
  let literals = false; // whether a LiteralSecret was made (only then do the schema and the result need swaps)
  const handle = (path: string, value: unknown): unknown => {
    if (typeof value !== "string") return value;
    if (!accept) {
      add(ctx, path, "is a literal secret, which esinfer never stores or prints; declare a reference instead", {
        allowed: referenceAdvice(ctx, path),
      });
      return PLACEHOLDER;
    }
    if (value.length === 0) {
      add(ctx, path, "must be a non-empty string");
      return PLACEHOLDER;
    }
    literals = true;
    return new LiteralSecret(value);
  };
  for (const { key, map } of settingsFacts(spec.serviceSettings).secrets) {
    if (!(key in settings)) continue;
    const value = settings[key];
    if (map) {
      if (isPlainObject(value))
        out[key] = Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, handle(`service_settings.${key}.${k}`, v)]),
        );
    } else {
      out[key] = handle(`service_settings.${key}`, value);
    }
  }
  return { prepared: out, literals };
}

/** Stands in for a literal secret already reported, so the schema does not report it again. */
const PLACEHOLDER = Object.freeze({ env: "ESINFER_PLACEHOLDER" });

/** What the schema checks: every literal (wrapped or already reported) replaced by a reference-shaped placeholder. */
function placeholdersForLiterals(prepared: Record<string, unknown>): Record<string, unknown> {
  const swap = (v: unknown) => (v instanceof LiteralSecret ? PLACEHOLDER : v);
  return Object.fromEntries(
    Object.entries(prepared).map(([k, v]) => [
      k,
      isPlainObject(v) && !isSecretRef(v)
        ? Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, swap(vv)]))
        : swap(v),
    ]),
  );
}

/** Puts the `LiteralSecret`s back after the schema has checked the rest. */
function restoreLiterals(parsed: Record<string, unknown>, prepared: Record<string, unknown>): Record<string, unknown> {
  const hasLiteral = (v: unknown) =>
    v instanceof LiteralSecret || (isPlainObject(v) && Object.values(v).some((x) => x instanceof LiteralSecret));
  return { ...parsed, ...Object.fromEntries(Object.entries(prepared).filter(([, v]) => hasLiteral(v))) };
}

// ---------------------------------------------------------------------------------------------------------------
// chunking

function validateChunking(
  ctx: Context,
  service: ServiceName,
  taskType: TaskType,
  spec: TaskSpec,
  raw: unknown,
  serviceSettings: Record<string, unknown> | undefined,
): ChunkingSettings | undefined {
  if (raw === undefined) return undefined;
  if (!spec.chunking) {
    const chunkable = taskTypesOf(service).filter((t) => getTaskSpec(service, t)!.chunking);
    add(
      ctx,
      "chunking_settings",
      `is not accepted for ${service} ${taskType} endpoints (Elasticsearch rejects it as an unknown setting)`,
      {
        allowed: chunkable.length
          ? `chunking on ${service} ${listOf(chunkable)} endpoints only`
          : `no chunking on ${service}`,
      },
    );
    return undefined;
  }
  if (!isPlainObject(raw)) {
    add(ctx, "chunking_settings", `must be an object, got ${kindOf(raw)}`);
    return undefined;
  }
  if (Object.keys(raw).length === 0) return undefined; // the server reads {} as "use the default"
  const strategy = raw.strategy;
  if (strategy === undefined) {
    add(ctx, "chunking_settings.strategy", "is required when chunking settings are given", {
      allowed: listOf(CHUNKING_STRATEGIES),
    });
    return undefined;
  }
  if (typeof strategy !== "string" || !(CHUNKING_STRATEGIES as readonly string[]).includes(strategy)) {
    add(ctx, "chunking_settings.strategy", `is not a chunking strategy: ${preview(strategy)}`, {
      allowed: listOf(CHUNKING_STRATEGIES),
      hint: typeof strategy === "string" ? didYouMean(strategy, CHUNKING_STRATEGIES) : undefined,
    });
    return undefined;
  }
  const parsed = parseInto(
    ctx,
    "chunking_settings",
    CHUNKING_SCHEMAS[strategy as ChunkingStrategy],
    raw,
    (_key, allowed) => ({
      message:
        strategy === "none"
          ? `is not a setting of the none strategy (Elasticsearch would silently drop it)`
          : `is not a setting of the ${strategy} strategy`,
      allowed: listOf(allowed),
    }),
  ) as ChunkingSettings | undefined;
  checkChunkingLimits(ctx, service, serviceSettings, strategy as ChunkingStrategy, raw);
  return parsed;
}

/** What depends on the version (the strategy's, the size cap's) and the ELSER cap, on the raw chunking value. */
function checkChunkingLimits(
  ctx: Context,
  service: string,
  serviceSettings: Record<string, unknown> | undefined,
  strategy: ChunkingStrategy,
  raw: Record<string, unknown>,
) {
  const facts = STRATEGY_FACTS[strategy];
  const version = ctx.options.esVersion;
  if (version && !isAtLeast(version, facts.since))
    add(
      ctx,
      "chunking_settings.strategy",
      `"${strategy}" needs Elasticsearch ${formatSince(facts.since)} or later (target is ${version})`,
    );
  // Checked on the raw value, so a cap violation is reported even when another chunking key is wrong.
  const size = raw.max_chunk_size;
  if (strategy !== "none" && typeof size === "number" && Number.isInteger(size)) {
    const elser =
      service === "elser" ||
      (typeof serviceSettings?.model_id === "string" && serviceSettings.model_id.startsWith(".elser_model"));
    if (elser && size > ELSER_MAX_CHUNK_SIZE)
      add(
        ctx,
        "chunking_settings.max_chunk_size",
        `must be at most ${ELSER_MAX_CHUNK_SIZE} for ELSER models, got ${size}`,
      );
    else if (version && !isAtLeast(version, MAX_CHUNK_SIZE_CAP.removedIn) && size > MAX_CHUNK_SIZE_CAP.value)
      add(
        ctx,
        "chunking_settings.max_chunk_size",
        `must be at most ${MAX_CHUNK_SIZE_CAP.value} before Elasticsearch ${MAX_CHUNK_SIZE_CAP.removedIn} (target is ${version}), got ${size}`,
      );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the endpoint

/** Validates one endpoint in request shape. */
export function validateRequest(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const label = options.label ?? "endpoint";
  const id =
    isPlainObject(input) && typeof input.inference_id === "string" && input.inference_id ? input.inference_id : label;
  const ctx: Context = { endpoint: id, options, issues: [], warnings: [] };
  if (!isPlainObject(input)) {
    add(ctx, "", `must be an object with ${listOf(TOP_LEVEL_KEYS.slice(0, 4))}, got ${kindOf(input)}`);
    return { issues: ctx.issues, warnings: ctx.warnings };
  }

  for (const key of Object.keys(input).filter((k) => !TOP_LEVEL_KEYS.includes(k)))
    add(ctx, key, "is not an endpoint field", {
      hint: didYouMean(key, TOP_LEVEL_KEYS),
      allowed: listOf(TOP_LEVEL_KEYS),
    });

  // inference_id
  const inferenceId = input.inference_id;
  if (inferenceId === undefined) add(ctx, "inference_id", "is required", { allowed: INFERENCE_ID_RULE });
  else if (typeof inferenceId !== "string")
    add(ctx, "inference_id", `must be a string, got ${kindOf(inferenceId)}`, { allowed: INFERENCE_ID_RULE });
  else
    for (const problem of inferenceIdProblems(inferenceId))
      add(ctx, "inference_id", problem.message, {
        hint: problem.suggestion && `did you mean "${problem.suggestion}"?`,
        allowed: problem.allowed,
      });

  // task_type: the server trims it and ignores case
  let taskType: TaskType | undefined;
  const rawTask = input.task_type;
  if (rawTask === undefined) add(ctx, "task_type", "is required", { allowed: listOf(TASK_TYPES) });
  else if (typeof rawTask !== "string")
    add(ctx, "task_type", `must be a string, got ${kindOf(rawTask)}`, { allowed: listOf(TASK_TYPES) });
  else {
    const folded = rawTask.trim().toLowerCase();
    if ((TASK_TYPES as readonly string[]).includes(folded)) taskType = folded as TaskType;
    else
      add(ctx, "task_type", `is not a task type: ${preview(rawTask)}`, {
        allowed: listOf(TASK_TYPES),
        hint: didYouMean(rawTask, TASK_TYPES),
      });
  }

  // service
  let service: ServiceName | undefined;
  const rawService = input.service;
  if (rawService === undefined) add(ctx, "service", "is required", { allowed: listOf(SERVICE_NAMES) });
  else if (typeof rawService !== "string") add(ctx, "service", `must be a string, got ${kindOf(rawService)}`);
  else if (!isServiceName(rawService))
    add(ctx, "service", `is not an Elasticsearch inference service: ${preview(rawService)}`, {
      allowed: listOf(SERVICE_NAMES),
      hint: didYouMean(rawService, SERVICE_NAMES),
    });
  else service = ctx.service = rawService;

  let spec: TaskSpec | undefined;
  if (service && taskType) {
    spec = getTaskSpec(service, taskType);
    if (!spec) {
      const others = SERVICE_NAMES.filter((s) => getTaskSpec(s, taskType!));
      add(ctx, "task_type", `${service} does not support ${taskType}`, {
        allowed: listOf(taskTypesOf(service)),
        hint: `services with ${taskType}: ${listOf(others)}`,
      });
    }
  }

  // settings objects
  const rawSS = input.service_settings;
  // Described only when reported (it lists every setting).
  const settingsAllowed = () => (spec ? describeAllowed(ctx, spec.serviceSettings, "service_settings") : "an object");
  if (rawSS === undefined) add(ctx, "service_settings", "is required", { allowed: settingsAllowed() });
  else if (!isPlainObject(rawSS))
    add(ctx, "service_settings", `must be an object, got ${kindOf(rawSS)}`, { allowed: settingsAllowed() });
  const rawTS = input.task_settings;
  if (rawTS !== undefined && !isPlainObject(rawTS))
    add(ctx, "task_settings", `must be an object, got ${kindOf(rawTS)}`);

  let serviceSettings: Record<string, unknown> | undefined;
  let taskSettings: Record<string, unknown> | undefined = {};
  let chunking: ChunkingSettings | undefined;
  if (service && taskType && spec) {
    const describeUnknown = (scope: "service_settings" | "task_settings") => (key: string, allowed: string[]) => {
      const elsewhere = taskTypesOf(service!).filter((t) => {
        const other = getTaskSpec(service!, t)!;
        return (
          t !== taskType &&
          key in (shapeOf(scope === "service_settings" ? other.serviceSettings : other.taskSettings) ?? {})
        );
      });
      return elsewhere.length
        ? {
            message: `applies only to ${service} ${listOf(elsewhere)} endpoints, not ${taskType}`,
            allowed: allowed.length ? listOf(allowed) : "none",
          }
        : {
            message: `is not a ${scope === "service_settings" ? "service" : "task"} setting of ${service} ${taskType}`,
            allowed: allowed.length ? listOf(allowed) : "none",
          };
    };
    if (isPlainObject(rawSS)) {
      const { prepared, literals } = prepareSecrets(
        ctx,
        spec,
        foldEnums(spec.serviceSettings, rawSS) as Record<string, unknown>,
      );
      const parsed = parseInto(
        ctx,
        "service_settings",
        spec.serviceSettings,
        literals ? placeholdersForLiterals(prepared) : prepared,
        describeUnknown("service_settings"),
      );
      if (parsed)
        serviceSettings = literals
          ? restoreLiterals(parsed as Record<string, unknown>, prepared)
          : (parsed as Record<string, unknown>);
    }
    // An absent task_settings object is checked as {} so required task settings (Anthropic's max_tokens) are reported.
    if (rawTS === undefined || isPlainObject(rawTS))
      taskSettings = parseInto(
        ctx,
        "task_settings",
        spec.taskSettings,
        foldEnums(spec.taskSettings, rawTS ?? {}),
        describeUnknown("task_settings"),
      ) as Record<string, unknown> | undefined;
    chunking = validateChunking(
      ctx,
      service,
      taskType,
      spec,
      input.chunking_settings,
      isPlainObject(rawSS) ? rawSS : undefined,
    );

    if (isPlainObject(rawSS)) {
      const ruleInput = {
        task_type: taskType,
        service_settings: rawSS,
        task_settings: isPlainObject(rawTS) ? rawTS : {},
      };
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
      if (
        (service === "elasticsearch" || service === "elser") &&
        typeof inferenceId === "string" &&
        inferenceId === rawSS.model_id
      )
        add(
          ctx,
          "inference_id",
          `must differ from service_settings.model_id (Elasticsearch requires endpoint ids to differ from trained model ids)`,
        );
    }
    checkVersions(ctx, service, taskType, spec, isPlainObject(rawSS) ? rawSS : {});
    warnDeprecations(ctx, service, spec, isPlainObject(rawSS) ? rawSS : {});
  } else if (input.chunking_settings !== undefined && !isPlainObject(input.chunking_settings)) {
    add(ctx, "chunking_settings", `must be an object, got ${kindOf(input.chunking_settings)}`);
  }

  if (
    ctx.issues.length > 0 ||
    !service ||
    !taskType ||
    !serviceSettings ||
    !taskSettings ||
    typeof inferenceId !== "string"
  )
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

/** What the field at a request-shape path accepts (`service_settings.element_type` -> its enum). */
function allowedAtPath(ctx: Context, spec: TaskSpec, path: string): string | undefined {
  const [scope, ...rest] = path.split(".");
  const root =
    scope === "service_settings" ? spec.serviceSettings : scope === "task_settings" ? spec.taskSettings : undefined;
  return root && rest.length ? describeAllowed(ctx, schemaAt(root, rest), path) : undefined;
}

function checkVersions(
  ctx: Context,
  service: ServiceName,
  taskType: TaskType,
  spec: TaskSpec,
  settings: Record<string, unknown>,
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

function warnDeprecations(ctx: Context, service: ServiceName, spec: TaskSpec, settings: Record<string, unknown>) {
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
    const id = isPlainObject(input) && typeof input.inference_id === "string" ? input.inference_id : undefined;
    if (id !== undefined) {
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

/**
 * The checks of `validateRequest` that depend on the target version, for an endpoint validated already (without a
 * version): the service, the task type, the fields and the chunking strategy exist there, and the size cap.
 * The plan runs these against the cluster's version instead of validating everything a second time.
 */
export function versionIssues(endpoint: ValidatedEndpoint, esVersion: string): ValidationIssue[] {
  const ctx: Context = { endpoint: endpoint.inference_id, options: { esVersion }, issues: [], warnings: [] };
  const spec = getTaskSpec(endpoint.service, endpoint.task_type)!;
  checkVersions(ctx, endpoint.service, endpoint.task_type, spec, endpoint.service_settings as Record<string, unknown>);
  const chunking = endpoint.chunking_settings as Record<string, unknown> | undefined;
  if (chunking?.strategy)
    checkChunkingLimits(
      ctx,
      endpoint.service,
      endpoint.service_settings as Record<string, unknown>,
      chunking.strategy as ChunkingStrategy,
      chunking,
    );
  return ctx.issues;
}
