/**
 * Elasticsearch version arithmetic. Only what the catalogue needs: parse `major.minor.patch` (ignoring
 * pre-release suffixes such as `-SNAPSHOT`) and decide whether a version has a feature.
 */

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * When a feature arrived. A list names the first version per major line, for features that reached two lines
 * in different minors: `["8.19.0", "9.1.0"]` means 8.19+ on 8.x, 9.1+ on 9.x, and every later major.
 */
export type Since = string | readonly string[];

/** The version the emulator calls "main (2026)": behavior on Elasticsearch's main branch, not yet released. */
export const MAIN_VERSION = "9.6.0";

/** Oldest Elasticsearch esinfer manages (as the Elastic Terraform provider: `_update` and typed chat endpoints). */
export const MIN_SUPPORTED_VERSION = "8.18.0";

// A plan asks about the same few versions thousands of times (every field of every endpoint): parse each once.
const parsed = new Map<string, Version>();

export function parseVersion(text: string): Version {
  let version = parsed.get(text);
  if (version === undefined) {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
    if (!m) throw new Error(`not an Elasticsearch version: "${text}" (expected major.minor.patch, e.g. 9.1.0)`);
    version = Object.freeze({ major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) });
    if (parsed.size < 1000) parsed.set(text, version); // bounded: versions come from catalogues and clusters
  }
  return version;
}

export function compareVersions(a: string | Version, b: string | Version): number {
  const x = typeof a === "string" ? parseVersion(a) : a;
  const y = typeof b === "string" ? parseVersion(b) : b;
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** Whether `version` has a feature that arrived at `since`. */
export function isAtLeast(version: string | Version, since: Since): boolean {
  const v = typeof version === "string" ? parseVersion(version) : version;
  if (typeof since === "string") return atLeastOnLine(v, parseVersion(since));
  const firsts = since.map(parseVersion);
  const sameLine = firsts.find((f) => f.major === v.major);
  if (sameLine) return compareVersions(v, sameLine) >= 0;
  // No entry for this major line: a later line inherits the feature, an earlier one lacks it.
  return firsts.some((f) => f.major < v.major);
}

function atLeastOnLine(v: Version, first: Version): boolean {
  return v.major === first.major ? compareVersions(v, first) >= 0 : first.major < v.major;
}

/** `since` as a person reads it: "8.19.0 (8.x) / 9.1.0". */
export function formatSince(since: Since): string {
  return typeof since === "string" ? since : since.join(" / ");
}
