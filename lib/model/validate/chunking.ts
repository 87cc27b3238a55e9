/** `chunking_settings`: accepted only where the task type chunks, checked against its own strategy's rules. */
import {
  CHUNKING_SCHEMAS,
  CHUNKING_STRATEGIES,
  STRATEGY_FACTS,
  formatSince,
  getTaskSpec,
  isAtLeast,
  maxChunkSizeLimit,
  runsElser,
  taskTypesOf,
  type ChunkingSettings,
  type ChunkingStrategy,
  type ServiceName,
  type TaskSpec,
  type TaskType,
} from "../../catalogue";
import { didYouMean } from "../suggest";
import { isPlainObject } from "../schema-walk";
import { add, kindOf, listOf, preview, type Context } from "./context";
import { parseInto } from "./zod-issues";

const isStrategy = (value: unknown): value is ChunkingStrategy =>
  typeof value === "string" && (CHUNKING_STRATEGIES as readonly string[]).includes(value);

export function validateChunking(
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
  const strategy = Object.hasOwn(raw, "strategy") ? raw.strategy : undefined;
  if (strategy === undefined) {
    add(ctx, "chunking_settings.strategy", "is required when chunking settings are given", {
      allowed: listOf(CHUNKING_STRATEGIES),
    });
    return undefined;
  }
  if (!isStrategy(strategy)) {
    add(ctx, "chunking_settings.strategy", `is not a chunking strategy: ${preview(strategy)}`, {
      allowed: listOf(CHUNKING_STRATEGIES),
      hint: typeof strategy === "string" ? didYouMean(strategy, CHUNKING_STRATEGIES) : undefined,
    });
    return undefined;
  }
  const parsed = parseInto(ctx, "chunking_settings", CHUNKING_SCHEMAS[strategy], raw, (_key, allowed) => ({
    message:
      strategy === "none"
        ? `is not a setting of the none strategy (Elasticsearch would silently drop it)`
        : `is not a setting of the ${strategy} strategy`,
    allowed: listOf(allowed),
  })) as ChunkingSettings | undefined;
  checkChunkingLimits(ctx, service, serviceSettings, strategy, raw);
  return parsed;
}

/** What depends on the version (the strategy's, the size cap's) and the ELSER window, on the raw chunking value. */
export function checkChunkingLimits(
  ctx: Context,
  service: string,
  serviceSettings: Readonly<Record<string, unknown>> | undefined,
  strategy: ChunkingStrategy,
  raw: Readonly<Record<string, unknown>>,
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
  const size = Object.hasOwn(raw, "max_chunk_size") ? raw.max_chunk_size : undefined;
  if (strategy === "none" || typeof size !== "number" || !Number.isInteger(size)) return;
  const limit = maxChunkSizeLimit(service, serviceSettings, version);
  if (limit && size > limit.max) {
    const target = version && !runsElser(service, serviceSettings) ? ` (target is ${version})` : "";
    add(ctx, "chunking_settings.max_chunk_size", `must be at most ${limit.max} ${limit.reason}${target}, got ${size}`);
  }
}
