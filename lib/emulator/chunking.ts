/**
 * `ChunkingSettingsBuilder.fromMap` and the per-strategy `fromMap` parsers, with the version differences: the 300
 * cap on `max_chunk_size` before 9.2, `recursive`/`none` from 8.19/9.1, the separator limit and the range wording
 * of main (2026). Returns the settings as the server stores and returns them.
 */
import { DEFAULT_CHUNKING, SEPARATOR_GROUPS, STRATEGY_FACTS, type ChunkingStrategy } from "../catalogue";
import { classCast, EsError, illegalArgument, msg, validationException } from "./errors";
import { copyTableSize, growTableSize, isJavaIntExceptMin, javaDouble, javaHashOrder, javaToString } from "./java";
import { isPlainObject } from "./json";
import type { Behavior } from "./versions";

const SCOPE = "chunking_settings";

export type StoredChunking = Record<string, unknown>;

/** The default stored for embedding endpoints created without chunking settings (8.16+). */
export function defaultChunking(): StoredChunking {
  return { ...DEFAULT_CHUNKING };
}

/** Parses `chunking_settings` of a request; `undefined`/`null`/`{}` give the default. Throws the server's errors. */
export function parseChunking(raw: unknown, behavior: Behavior): StoredChunking {
  if (raw === undefined || raw === null) return defaultChunking();
  if (!isPlainObject(raw)) throw classCast(raw, "Map");
  if (Object.keys(raw).length === 0) return defaultChunking();
  if (!Object.prototype.hasOwnProperty.call(raw, "strategy"))
    throw illegalArgument("Can't generate Chunker without ChunkingStrategy provided");
  if (raw.strategy === null)
    throw new EsError(
      500,
      "null_pointer_exception",
      'Cannot invoke "Object.toString()" because the return value of "java.util.Map.get(Object)" is null',
    );
  const strategy = javaToString(raw.strategy);
  const available: ChunkingStrategy[] = behavior.has("chunking.recursive_and_none")
    ? ["sentence", "word", "recursive", "none"]
    : ["sentence", "word"];
  if (!(available as string[]).includes(strategy)) throw illegalArgument(`Invalid chunkingStrategy ${strategy}`);
  switch (strategy as ChunkingStrategy) {
    case "none":
      // The builder returns the NONE singleton without looking at other keys.
      return { strategy: "none" };
    case "sentence":
      return sentence(raw, behavior);
    case "word":
      return word(raw, behavior);
    case "recursive":
      return recursive(raw, behavior);
  }
}

function invalidKeys(raw: Record<string, unknown>, strategy: ChunkingStrategy, label: string, errors: string[]) {
  const valid = STRATEGY_FACTS[strategy].keys;
  // The parser copies the map (`new HashMap<>(settings)`), then streams its key set: copy-table bucket order.
  const n = Object.keys(raw).length;
  const keys = javaHashOrder(javaHashOrder(Object.keys(raw), growTableSize(n)), copyTableSize(n)).filter(
    (k) => !valid.includes(k),
  );
  if (keys.length > 0)
    errors.push(`${label} chunking settings can not have the following settings: [${keys.join(", ")}]`);
}

const geMessage = (b: Behavior, name: string, value: number, min: number) =>
  `[${SCOPE}] Invalid value [${javaDouble(value)}]. [${name}] must be ${!b.has("errors.range_wording_without_a") ? "a " : ""}greater than or equal to [${javaDouble(min)}]`;
const leMessage = (b: Behavior, name: string, value: number, max: number) =>
  `[${SCOPE}] Invalid value [${javaDouble(value)}]. [${name}] must be ${!b.has("errors.range_wording_without_a") ? "a " : ""}less than or equal to [${javaDouble(max)}]`;

/** extractRequiredPositiveInteger: the value, or undefined with an error added. */
function requiredPositiveInt(raw: Record<string, unknown>, name: string, errors: string[]): number | undefined {
  const v = raw[name];
  if (v === undefined || v === null) {
    errors.push(msg.missingSetting(SCOPE, name));
    return undefined;
  }
  if (!isJavaIntExceptMin(v)) {
    errors.push(msg.invalidType(name, v, "Integer"));
    return undefined;
  }
  if (v <= 0) {
    errors.push(msg.notPositiveInt(SCOPE, name, v));
    return undefined;
  }
  return v;
}

/** `max_chunk_size`: at least `min`, and at most the version's cap (if any). */
function maxChunkSize(raw: Record<string, unknown>, min: number, b: Behavior, errors: string[]): number | undefined {
  const v = requiredPositiveInt(raw, "max_chunk_size", errors);
  if (v === undefined) return undefined;
  if (v < min) {
    errors.push(geMessage(b, "max_chunk_size", v, min));
    return undefined;
  }
  const cap = b.value("chunking.max_chunk_size_cap");
  if (cap !== undefined && v > cap) {
    errors.push(leMessage(b, "max_chunk_size", v, cap));
    return undefined;
  }
  return v;
}

function sentence(raw: Record<string, unknown>, b: Behavior): StoredChunking {
  const errors: string[] = [];
  invalidKeys(raw, "sentence", "Sentence based", errors);
  const size = maxChunkSize(raw, STRATEGY_FACTS.sentence.minChunkSize!, b, errors);
  let overlap = 1;
  const o = raw.sentence_overlap;
  if (o !== undefined && o !== null) {
    if (!isJavaIntExceptMin(o)) errors.push(msg.invalidType("sentence_overlap", o, "Integer"));
    else if (o > 1 || o < 0) errors.push(`sentence_overlap[${o}] must be either 0 or 1`);
    else overlap = o;
  }
  if (errors.length > 0) throw validationException(errors);
  return { strategy: "sentence", max_chunk_size: size, sentence_overlap: overlap };
}

function word(raw: Record<string, unknown>, b: Behavior): StoredChunking {
  const errors: string[] = [];
  invalidKeys(raw, "word", "Word based", errors);
  const size = maxChunkSize(raw, STRATEGY_FACTS.word.minChunkSize!, b, errors);
  let overlap: number | undefined;
  if (size !== undefined) {
    overlap = requiredPositiveInt(raw, "overlap", errors);
    const max = Math.floor(size / 2);
    if (overlap !== undefined && overlap > max) errors.push(leMessage(b, "overlap", overlap, max));
  }
  if (errors.length > 0) throw validationException(errors);
  return { strategy: "word", max_chunk_size: size, overlap };
}

function recursive(raw: Record<string, unknown>, b: Behavior): StoredChunking {
  const errors: string[] = [];
  invalidKeys(raw, "recursive", "Recursive", errors);
  const size = maxChunkSize(raw, STRATEGY_FACTS.recursive.minChunkSize!, b, errors);
  let group: keyof typeof SEPARATOR_GROUPS | undefined;
  const g = raw.separator_group;
  if (g !== undefined && g !== null) {
    const groups = Object.keys(SEPARATOR_GROUPS) as (keyof typeof SEPARATOR_GROUPS)[];
    if (typeof g !== "string") errors.push(msg.invalidType("separator_group", g, "String"));
    else if (g === "") errors.push(msg.emptyString(SCOPE, "separator_group"));
    else {
      group = groups.find((name) => name === g.trim().toLowerCase());
      if (!group) errors.push(msg.invalidEnum(SCOPE, "separator_group", g, groups));
    }
  }
  let separators: string[] | undefined;
  const s = raw.separators;
  if (s !== undefined && s !== null) {
    if (!Array.isArray(s)) errors.push(msg.invalidType("separators", s, "List"));
    else {
      const bad = s.filter((e) => typeof e !== "string");
      for (const e of bad) errors.push(msg.invalidType("separators", e, "String"));
      if (bad.length === 0) separators = s as string[];
    }
  }
  if (separators !== undefined && group !== undefined)
    errors.push("Recursive chunking settings can not have both separators and separator_set");
  if (group !== undefined) separators = [...SEPARATOR_GROUPS[group]];
  else if (separators !== undefined && separators.length === 0)
    errors.push("Recursive chunking settings can not have an empty list of separators");
  const maxSeparators = b.value("chunking.max_separators");
  if (maxSeparators !== undefined && separators !== undefined && separators.length > maxSeparators)
    errors.push(`separators list size [${separators.length}] must not exceed [${maxSeparators}]`);
  if (errors.length > 0) throw validationException(errors);
  return {
    strategy: "recursive",
    max_chunk_size: size,
    separators: separators ?? [...SEPARATOR_GROUPS.plaintext],
  };
}
