import { distance } from "fastest-levenshtein";

/**
 * The closest candidate to a near miss (typo, wrong case, hyphen for underscore, a misspelt first word of a
 * multi-word key such as `modle` for `model_id`), or undefined when none is close.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const folded = fold(input);
  const all = [...candidates];
  const best = (pairs: (c: string) => Array<[string, string]>): string | undefined => {
    let match: string | undefined;
    let matchScore = Infinity;
    for (const candidate of all) {
      const c = fold(candidate);
      if (c === folded) return candidate;
      const score = Math.min(...pairs(c).map(([a, b]) => distance(a, b) / allowance(a, b)));
      if (score <= 1 && score < matchScore) {
        match = candidate;
        matchScore = score;
      }
    }
    return match;
  };
  // Whole names first; only when none is close, the leading words of either side (modle -> model_id, model_id -> model).
  return (
    best((c) => [[folded, c]]) ??
    best((c) => forms(folded).flatMap((i) => forms(c).map((f): [string, string] => [i, f])))
  );
}

/** A name and the leading parts of its words: `model_id` is also matched as `model`. */
function forms(name: string): string[] {
  const words = name.split("_");
  return words.map((_, i) => words.slice(0, i + 1).join("_")).reverse();
}

function allowance(a: string, b: string): number {
  return Math.max(2, Math.floor(Math.max(a.length, b.length) / 3));
}

/** Case, `-` versus `_`, and camelCase versus snake_case are the commonest slips; compare without them. */
function fold(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/-/g, "_");
}

export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const match = closest(input, candidates);
  return match !== undefined && match !== input ? `did you mean "${match}"?` : undefined;
}
