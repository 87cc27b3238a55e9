/**
 * `esinfer validate INPUT`: the offline lint for everything esinfer reads, with no cluster.
 *
 * - Endpoint declarations in Elasticsearch request shape, one object or an array (`-` reads stdin). Literal
 *   secrets are accepted, as in a request body, and never echoed.
 * - A stack manifest, recognized by its `stack` or `endpoints` field: the rules of `esinfer plan -f` (the engine's
 *   `parseManifest`), so a literal secret is refused.
 * - Synthesized stacks, given a directory: CDK for Terraform output (`cdktf.out`, holding `manifest.json`), a
 *   project (holding `cdktf.json`, whose output directory is read; it is not synthesized again), or one Terraform
 *   stack's directory (`cdktf.out/stacks/prod`). Every esinfer stack in it is checked as `esinfer plan` reads it.
 *
 * Exit 0 when everything is valid, 1 with every problem listed, 2 when the input cannot be read.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parseVersion } from "../../catalogue";
import { SynthesizedStackError, readSynthesizedStacks, type SynthesizedStack } from "../../constructs/read-synthesized";
import { parseManifest } from "../../engine";
import { escapeUnsafe, formatIssue, validateRequests, type ValidationIssue } from "../../model";
import { isPlainObject } from "../../model/schema-walk";
import { colors, UsageError, type Io } from "../io";
import { EXIT_UNREADABLE, readJson } from "../json-input";
import { describeReadError } from "../../model/read-error";

export interface ValidateOptions {
  esVersion?: string;
  json?: boolean;
}

/** What was read: request-shaped endpoints, one manifest, or the stacks of a synthesized app. */
type Kind = "endpoints" | "manifest" | "synthesized";

/** An endpoint that passed, as the summary and the JSON report list it. */
interface EndpointSummary {
  readonly inference_id: string;
  readonly service: string;
  readonly task_type: string;
}

/** The outcome for one stack (a manifest, or one synthesized esinfer stack). */
interface StackReport {
  /** The stack's name, as declared (a manifest without a valid name is reported under `manifest`). */
  readonly name: string;
  /** Where it was read from: the manifest file, or the synthesized file. */
  readonly source: string;
  readonly valid: boolean;
  readonly endpoints: readonly EndpointSummary[];
  readonly absent: readonly string[];
  readonly issues: readonly ValidationIssue[];
  readonly warnings: readonly ValidationIssue[];
}

export async function run(io: Io, options: ValidateOptions, input: string): Promise<number> {
  if (options.esVersion !== undefined) {
    try {
      parseVersion(options.esVersion);
    } catch (e) {
      throw new UsageError(`--es-version: ${(e as Error).message}`);
    }
  }
  const directory = input === "-" ? undefined : directoryAt(resolve(io.cwd, input));
  if (directory !== undefined) {
    const stacks = synthesizedStacks(directory, input).map((s) =>
      checkManifest(s.manifest, s.projectDir, relative(io.cwd, s.file) || s.file, options.esVersion),
    );
    return report(io, options, "synthesized", stacks);
  }
  const { value, source } = await readJson(io, input);
  if (isManifest(value)) {
    const baseDir = source === "-" ? io.cwd : dirname(source);
    return report(io, options, "manifest", [checkManifest(value, baseDir, input, options.esVersion)]);
  }
  return reportEndpoints(io, options, value, input);
}

// ---------------------------------------------------------------------------------------------------------------
// What the input is

/** A manifest has a `stack` or an `endpoints` field; an endpoint has neither (its request shape has no such key). */
function isManifest(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && (Object.hasOwn(value, "stack") || Object.hasOwn(value, "endpoints"));
}

/** `path` when it is a directory; undefined for a file (or nothing: reading it then reports why). */
function directoryAt(path: string): string | undefined {
  try {
    return statSync(path).isDirectory() ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The esinfer stacks of a directory: synthesized output (`manifest.json`), a project (`cdktf.json`: its output
 * directory), or one Terraform stack's directory (`cdk.tf.json`, two levels below the output's manifest).
 */
function synthesizedStacks(dir: string, shown: string): SynthesizedStack[] {
  const unreadable = (why: string) => new UsageError(`cannot validate ${shown}: ${why}`, EXIT_UNREADABLE);
  let outdir = dir;
  let onlyStackDir: string | undefined;
  if (!existsSync(join(dir, "manifest.json"))) {
    if (existsSync(join(dir, "cdktf.json"))) outdir = resolve(dir, projectOutput(join(dir, "cdktf.json"), unreadable));
    else if (existsSync(join(dir, "cdk.tf.json"))) {
      outdir = resolve(dir, "..", "..");
      onlyStackDir = dir;
    } else
      throw unreadable(
        "a directory, but not CDK for Terraform output (no manifest.json), a project (no cdktf.json) or a " +
          "synthesized stack (no cdk.tf.json)",
      );
  }
  let stacks: SynthesizedStack[];
  try {
    stacks = readSynthesizedStacks(outdir);
  } catch (e) {
    if (e instanceof SynthesizedStackError) throw unreadable(e.message);
    throw e;
  }
  if (onlyStackDir !== undefined) stacks = stacks.filter((s) => resolve(s.stackDir) === onlyStackDir);
  if (stacks.length === 0)
    throw unreadable("it holds no esinfer stack (no ElasticsearchCluster was synthesized into it)");
  return stacks;
}

/** The output directory a project's cdktf.json names (`cdktf.out` by default). */
function projectOutput(file: string, unreadable: (why: string) => UsageError): string {
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw unreadable(`${file}: ${e instanceof SyntaxError ? `not valid JSON: ${e.message}` : describeReadError(e)}`);
  }
  const output = isPlainObject(config) && Object.hasOwn(config, "output") ? config.output : undefined;
  return typeof output === "string" ? output : "cdktf.out";
}

// ---------------------------------------------------------------------------------------------------------------
// Checking

/**
 * A manifest by the rules of `plan -f` (`parseManifest`). With `esVersion`, each endpoint is also checked
 * against that version: validated again with it, and the problems `parseManifest` did not already report added
 * (the endpoint rules are the same, so only the version's remain), with the version's warnings.
 */
function checkManifest(value: unknown, baseDir: string, source: string, esVersion?: string): StackReport {
  const { stack, issues } = parseManifest(value, { baseDir });
  const all = [...issues];
  const warnings: ValidationIssue[] = [];
  const declared = isPlainObject(value) && Object.hasOwn(value, "endpoints") ? value.endpoints : undefined;
  if (esVersion !== undefined && Array.isArray(declared)) {
    const versioned = validateRequests(declared, { esVersion, literalSecrets: "reject" });
    const seen = new Set(issues.map(issueKey));
    all.push(...versioned.issues.filter((i) => !seen.has(issueKey(i))));
    warnings.push(...versioned.warnings);
  }
  const name = isPlainObject(value) && typeof value.stack === "string" ? value.stack : "manifest";
  return {
    name,
    source,
    valid: all.length === 0,
    endpoints: all.length === 0 && stack ? stack.endpoints.map(summary) : [],
    absent: all.length === 0 && stack ? stack.absent : [],
    issues: all,
    warnings,
  };
}

const issueKey = (i: ValidationIssue) => JSON.stringify([i.endpoint, i.path, i.message]);

const summary = (e: EndpointSummary): EndpointSummary => ({
  inference_id: e.inference_id,
  service: e.service,
  task_type: e.task_type,
});

// ---------------------------------------------------------------------------------------------------------------
// Reporting

/** Endpoint declarations (one or an array), as a request body has them: literal secrets accepted. */
function reportEndpoints(io: Io, options: ValidateOptions, value: unknown, input: string): number {
  const inputs = Array.isArray(value) ? value : [value];
  if (inputs.length === 0) throw new UsageError(`${input} holds an empty array: nothing to validate`, EXIT_UNREADABLE);
  const { endpoints, issues, warnings } = validateRequests(inputs, {
    esVersion: options.esVersion,
    literalSecrets: "accept",
    label: Array.isArray(value) ? "endpoints" : undefined,
  });
  if (options.json) {
    const document = {
      valid: issues.length === 0,
      kind: "endpoints",
      endpoints: endpoints.map(summary),
      issues,
      warnings,
    };
    io.stdout.write(JSON.stringify(document, null, 2) + "\n");
    return issues.length === 0 ? 0 : 1;
  }
  printWarnings(io, warnings);
  if (issues.length === 0) {
    io.stdout.write(`${colors(io).green("✓")} ${plural(endpoints.length, "endpoint")} valid: ${listed(endpoints)}\n`);
    return 0;
  }
  printIssues(io, issues);
  const bad = new Set(issues.map((i) => i.endpoint)).size;
  io.stderr.write(`${plural(issues.length, "problem")} in ${bad} of ${plural(inputs.length, "endpoint")}\n`);
  return 1;
}

/** One manifest, or every stack of a synthesized app. */
function report(io: Io, options: ValidateOptions, kind: Kind, stacks: readonly StackReport[]): number {
  const valid = stacks.every((s) => s.valid);
  if (options.json) {
    const withStack = (list: (s: StackReport) => readonly ValidationIssue[]) =>
      stacks.flatMap((s) => list(s).map((i) => ({ stack: s.name, ...i })));
    const document = {
      valid,
      kind,
      stacks: stacks.map(({ name, source, valid, endpoints, absent }) => ({ name, source, valid, endpoints, absent })),
      endpoints: stacks.flatMap((s) => s.endpoints.map((e) => ({ stack: s.name, ...e }))),
      issues: withStack((s) => s.issues),
      warnings: withStack((s) => s.warnings),
    };
    io.stdout.write(JSON.stringify(document, null, 2) + "\n");
    return valid ? 0 : 1;
  }
  const ok = colors(io).green("✓");
  // Several stacks: each problem says whose it is.
  const prefixOf = (s: StackReport) => (kind === "synthesized" ? s.name : undefined);
  for (const s of stacks) {
    printWarnings(io, s.warnings, prefixOf(s));
    if (s.valid) {
      const absent = s.absent.length > 0 ? `; ${s.absent.length} declared absent` : "";
      io.stdout.write(
        `${ok} stack ${escapeUnsafe(s.name)} (${escapeUnsafe(s.source)}): ${plural(s.endpoints.length, "endpoint")} ` +
          `valid${s.endpoints.length > 0 ? `: ${listed(s.endpoints)}` : ""}${absent}\n`,
      );
    } else printIssues(io, s.issues, prefixOf(s));
  }
  if (valid) return 0;
  const invalid = stacks.filter((s) => !s.valid);
  const problems = plural(
    invalid.reduce((n, s) => n + s.issues.length, 0),
    "problem",
  );
  io.stderr.write(
    kind === "manifest"
      ? `${problems} in ${invalid[0]!.name === "manifest" ? "the manifest" : `stack ${escapeUnsafe(invalid[0]!.name)}`} (${escapeUnsafe(invalid[0]!.source)})\n`
      : `${problems} in ${invalid.length} of ${plural(stacks.length, "stack")}: ${invalid.map((s) => escapeUnsafe(s.name)).join(", ")}\n`,
  );
  return 1;
}

function printIssues(io: Io, issues: readonly ValidationIssue[], stack?: string): void {
  const c = colors(io, io.stderr);
  const prefix = stack === undefined ? "" : `[${stack}] `;
  for (const issue of issues) io.stderr.write(`${c.red("✗")} ${escapeUnsafe(prefix + formatIssue(issue))}\n`);
}

function printWarnings(io: Io, warnings: readonly ValidationIssue[], stack?: string): void {
  const c = colors(io, io.stderr);
  const prefix = stack === undefined ? "" : `[${stack}] `;
  for (const w of warnings) io.stderr.write(`${c.yellow("warning")} ${escapeUnsafe(prefix + formatIssue(w))}\n`);
}

const listed = (endpoints: readonly EndpointSummary[]) =>
  escapeUnsafe(endpoints.map((e) => `${e.inference_id} (${e.service} ${e.task_type})`).join(", "));

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
