/**
 * `chunking_settings` as Elasticsearch parses them (ChunkingSettingsBuilder and the per-strategy settings classes):
 * the strategies, their keys, required keys, ranges, exclusive keys, defaults and version history.
 */
import { z } from "zod";
import { BEHAVIORS } from "./behaviors";
import type { Since } from "./version";

export const CHUNKING_STRATEGIES = ["sentence", "word", "recursive", "none"] as const;
export type ChunkingStrategy = (typeof CHUNKING_STRATEGIES)[number];

/** What the server stores for an embedding endpoint created without chunking settings (8.16+). */
export const DEFAULT_CHUNKING = Object.freeze({
  strategy: "sentence",
  max_chunk_size: 250,
  sentence_overlap: 1,
} as const);
/** What endpoints created before 8.16 read back as. */
export const LEGACY_DEFAULT_CHUNKING = Object.freeze({ strategy: "word", max_chunk_size: 250, overlap: 100 } as const);

/** Separator lists behind `separator_group`; the server stores the expanded list, not the group name. */
export const SEPARATOR_GROUPS = {
  plaintext: ["(?<!\\n)\\n\\n(?!\\n)", "(?<!\\n)\\n(?!\\n)"],
  markdown: [
    "\n# ",
    "\n## ",
    "\n### ",
    "\n#### ",
    "\n##### ",
    "\n###### ",
    "\n^(?!\\s*$).*\\n-{1,}\\n",
    "\n^(?!\\s*$).*\\n={1,}\\n",
  ],
} as const satisfies Record<string, readonly string[]>;
export type SeparatorGroup = keyof typeof SEPARATOR_GROUPS;

export interface StrategyFacts {
  readonly since: Since;
  /** Every key the strategy accepts; anything else is rejected. */
  readonly keys: readonly string[];
  readonly required: readonly string[];
  /** Smallest accepted `max_chunk_size`. */
  readonly minChunkSize?: number;
}

export const STRATEGY_FACTS: Readonly<Record<ChunkingStrategy, StrategyFacts>> = {
  sentence: {
    since: "8.16.0",
    keys: ["strategy", "max_chunk_size", "sentence_overlap"],
    required: ["max_chunk_size"],
    minChunkSize: 20,
  },
  word: {
    since: "8.16.0",
    keys: ["strategy", "max_chunk_size", "overlap"],
    required: ["max_chunk_size", "overlap"],
    minChunkSize: 10,
  },
  recursive: {
    since: BEHAVIORS["chunking.recursive_and_none"].since,
    keys: ["strategy", "max_chunk_size", "separator_group", "separators"],
    required: ["max_chunk_size"],
    minChunkSize: 10,
  },
  none: { since: BEHAVIORS["chunking.recursive_and_none"].since, keys: ["strategy"], required: [] },
};

/**
 * The registry's `chunking.max_chunk_size_cap` as a value and the version that removed it.
 * @deprecated Ask `maxChunkSizeLimit(service, serviceSettings, version)` (service-rules.ts), which also knows ELSER.
 */
export const MAX_CHUNK_SIZE_CAP = Object.freeze({
  value: BEHAVIORS["chunking.max_chunk_size_cap"].value,
  removedIn: BEHAVIORS["chunking.max_chunk_size_cap"].until,
});
/** ELSER's window: chunks above this are truncated by the model whatever the version. */
export const ELSER_MAX_CHUNK_SIZE = 300;

const chunkSize = (min: number) => z.number().int("must be an integer").min(min, `must be at least ${min}`);

export const SentenceChunkingSchema = z.strictObject({
  strategy: z.literal("sentence"),
  max_chunk_size: chunkSize(20),
  sentence_overlap: z.union([z.literal(0), z.literal(1)], { error: "must be either 0 or 1" }).optional(),
});

export const WordChunkingSchema = z
  .strictObject({
    strategy: z.literal("word"),
    max_chunk_size: chunkSize(10),
    overlap: z.number().int("must be an integer").positive("must be a positive integer"),
  })
  .check((ctx) => {
    const { overlap, max_chunk_size } = ctx.value;
    if (overlap > max_chunk_size / 2)
      ctx.issues.push({
        code: "custom",
        input: overlap,
        path: ["overlap"],
        message: `must be at most half of max_chunk_size (${Math.floor(max_chunk_size / 2)}), got ${overlap}`,
      });
  });

export const RecursiveChunkingSchema = z
  .strictObject({
    strategy: z.literal("recursive"),
    max_chunk_size: chunkSize(10),
    separator_group: z.enum(Object.keys(SEPARATOR_GROUPS) as [SeparatorGroup, ...SeparatorGroup[]]).optional(),
    separators: z.array(z.string()).min(1, "must not be empty").optional(),
  })
  .check((ctx) => {
    if (ctx.value.separator_group !== undefined && ctx.value.separators !== undefined)
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        path: ["separators"],
        message: "cannot be set together with separator_group (choose one)",
      });
  });

export const NoneChunkingSchema = z.strictObject({ strategy: z.literal("none") });

/** The schema per strategy, so a declaration is checked against its own strategy's rules only. */
export const CHUNKING_SCHEMAS = {
  sentence: SentenceChunkingSchema,
  word: WordChunkingSchema,
  recursive: RecursiveChunkingSchema,
  none: NoneChunkingSchema,
} as const;

export const ChunkingSettingsSchema = z.discriminatedUnion("strategy", [
  SentenceChunkingSchema,
  WordChunkingSchema,
  RecursiveChunkingSchema,
  NoneChunkingSchema,
]);
export type ChunkingSettings = z.infer<typeof ChunkingSettingsSchema>;

/**
 * What the server stores for valid chunking settings: `sentence_overlap` defaults to 1, and a recursive strategy
 * keeps an expanded `separators` list (plaintext when neither list nor group is given).
 */
export function storedChunking(settings: ChunkingSettings | undefined): ChunkingSettings {
  if (!settings) return { ...DEFAULT_CHUNKING };
  switch (settings.strategy) {
    case "sentence":
      return {
        strategy: "sentence",
        max_chunk_size: settings.max_chunk_size,
        sentence_overlap: settings.sentence_overlap ?? 1,
      };
    case "recursive":
      return {
        strategy: "recursive",
        max_chunk_size: settings.max_chunk_size,
        separators: [...(settings.separators ?? SEPARATOR_GROUPS[settings.separator_group ?? "plaintext"])],
      };
    default:
      return { ...settings };
  }
}
