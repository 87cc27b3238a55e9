/**
 * The plan as a terminal shows it, Terraform-style: one block per endpoint that changes, one line per field, and a
 * closing `Plan: ...` line. Pure: a `Plan` in, a string out (no I/O, no clock, no environment).
 *
 * Every non-secret value is shown (unlike the Elastic Terraform provider, which hides all of `service_settings`);
 * a change flagged `sensitive` prints exactly `(sensitive)`, whatever value it carries.
 */
import { createColors } from "picocolors";
import { escapeUnsafe } from "../../model/text";
import type { Action, EndpointPlan, FieldChange, Plan, References } from "../plan-types";

export interface HumanOptions {
  /** ANSI colors; with `false` the output contains no escape sequence at all. */
  readonly color: boolean;
  /** Longest rendering of one value before it is cut (default 120 characters). */
  readonly maxValueLength?: number;
}

/** What a sensitive value prints as. */
export const SENSITIVE = "(sensitive)";

export const DEFAULT_MAX_VALUE_LENGTH = 120;

/** The ordering of actions in summaries and counts. */
export const ACTIONS: readonly Action[] = ["create", "update", "replace", "delete", "no-op"];

export const ACTION_SYMBOL: Readonly<Record<Action, string>> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  "no-op": " ",
};

export const ACTION_LABEL: Readonly<Record<Action, string>> = {
  create: "create",
  update: "update in place",
  replace: "replace",
  delete: "delete",
  "no-op": "no changes",
};

/** Per action, how many endpoints of the plan take it (counted from `endpoints`, the plan's source of truth). */
export function countActions(plan: Pick<Plan, "endpoints">): Record<Action, number> {
  const counts = { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 } as Record<Action, number>;
  for (const e of plan.endpoints) if (e.action in counts) counts[e.action]++;
  return counts;
}

/**
 * The plan in one sentence: `Plan: 1 to create, 2 to update in place, 1 to replace, 0 to delete; 5 unchanged.` or
 * `No changes. The cluster matches the declarations (5 endpoints).`
 */
export function summaryLine(plan: Pick<Plan, "endpoints">): string {
  const n = countActions(plan);
  const total = plan.endpoints.length;
  if (n.create + n.update + n.replace + n.delete === 0)
    return `No changes. The cluster matches the declarations (${total} endpoint${total === 1 ? "" : "s"}).`;
  return (
    `Plan: ${n.create} to create, ${n.update} to update in place, ${n.replace} to replace, ${n.delete} to delete; ` +
    `${n["no-op"]} unchanged.`
  );
}

/**
 * One value as compact JSON on one line: strings quoted with newlines and control characters escaped, objects and
 * arrays compact; longer than `max` characters, cut with `…` and the full length noted.
 */
export function formatValue(value: unknown, max = DEFAULT_MAX_VALUE_LENGTH): string {
  if (value === undefined) return "(none)";
  if (typeof value === "string") {
    const chars = Array.from(value);
    if (chars.length <= max) return escapeControls(JSON.stringify(value));
    const cut = JSON.stringify(chars.slice(0, Math.max(1, max - 2)).join(""));
    return escapeControls(`${cut.slice(0, -1)}…" (${chars.length} chars)`);
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = escapeControls(text);
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join("")}… (${chars.length} chars)`;
}

/**
 * The value a change shows for one side: `(sensitive)` for secrets, whatever the plan holds; the declared side says
 * where the secret comes from when known: `(sensitive, from OPENAI_API_KEY)`.
 */
export function sideOf(change: FieldChange, side: "before" | "after", max?: number): string {
  if (!change.sensitive) return formatValue(change[side], max);
  return side === "after" && change.reference ? `(sensitive, from ${printable(change.reference)})` : SENSITIVE;
}

export type ChangeKind = "add" | "remove" | "change";

export function kindOf(change: FieldChange): ChangeKind {
  const hasBefore = "before" in change && change.before !== undefined;
  const hasAfter = "after" in change && change.after !== undefined;
  return hasBefore && !hasAfter ? "remove" : !hasBefore && hasAfter ? "add" : "change";
}

/** `+ path = value`, `- path = value` or `~ path = before -> after` (no color, no replacement note). */
export function changeText(change: FieldChange, max?: number): string {
  const path = printable(change.path);
  switch (kindOf(change)) {
    case "add":
      return `+ ${path} = ${sideOf(change, "after", max)}`;
    case "remove":
      return `- ${path} = ${sideOf(change, "before", max)}`;
    case "change":
      return `~ ${path} = ${sideOf(change, "before", max)} -> ${sideOf(change, "after", max)}`;
  }
}

/** `pipelines [p1] and indexes [i1]`, or undefined when nothing uses the endpoint. */
export function describeReferences(refs: References): string | undefined {
  const parts: string[] = [];
  if (refs.pipelines.length > 0) parts.push(`pipelines [${refs.pipelines.join(", ")}]`);
  if (refs.indexes.length > 0) parts.push(`indexes [${refs.indexes.join(", ")}]`);
  return parts.length > 0 ? parts.join(" and ") : undefined;
}

/** The cluster URL without user name, password or query string (which could carry an API key). */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/[^/@\s]*@/, "//").replace(/\?.*$/, "");
  }
}

/** Where the plan was made: `Elasticsearch 9.1.0 (serverless) at https://es:9200, cluster prod-a`. */
export function clusterLine(plan: Pick<Plan, "cluster">): string {
  const c = plan.cluster;
  const name = c.cluster_name ? `, cluster ${printable(c.cluster_name)}` : "";
  return `Elasticsearch ${printable(c.version)}${c.serverless ? " (serverless)" : ""} at ${printable(safeUrl(c.url))}${name}`;
}

/** Free text on one line, with control characters (terminal escapes from a server message, say) made visible. */
export function printable(text: string): string {
  return escapeControls(String(text).replace(/\s*(\r\n|\r|\n)\s*/g, " "));
}

/** Control, bidirectional and zero-width characters as `\\uXXXX`: a reviewer sees exactly what is applied. */
function escapeControls(text: string): string {
  return escapeUnsafe(text.replace(/\t/g, " "));
}

type Paint = (s: string) => string;

function palette(color: boolean) {
  const c = createColors(color);
  const byAction: Record<Action, Paint> = {
    create: c.green,
    update: c.yellow,
    replace: c.magenta,
    delete: c.red,
    "no-op": (s) => s,
  };
  const byKind: Record<ChangeKind, Paint> = { add: c.green, remove: c.red, change: c.yellow };
  return { c, byAction, byKind };
}

const BODY_INDENT = "      ";

/**
 * The stack-wide warnings, then those of unchanged endpoints (which get no block of their own), prefixed with
 * their id: an unchanged endpoint can still need attention (a secret that cannot be checked for rotation).
 */
export function allWarnings(plan: Pick<Plan, "endpoints" | "warnings">): string[] {
  return [
    ...plan.warnings,
    ...plan.endpoints
      .filter((e) => e.action === "no-op")
      .flatMap((e) => e.warnings.map((w) => `${e.inference_id}: ${w}`)),
  ];
}

export function renderHuman(plan: Plan, options: HumanOptions): string {
  const { c, byAction, byKind } = palette(options.color);
  const max = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const lines: string[] = [`Stack ${c.bold(printable(plan.stack))} on ${clusterLine(plan)}`, ""];

  for (const e of plan.endpoints) {
    if (e.action === "no-op") continue;
    lines.push(...endpointBlock(e, max, c, byAction, byKind), "");
  }

  const summary = summaryLine(plan);
  lines.push(
    summary.startsWith("Plan:") ? `${c.bold("Plan:")}${summary.slice("Plan:".length)}` : c.green(c.bold(summary)),
  );
  const warnings = allWarnings(plan);
  if (warnings.length > 0) {
    lines.push("");
    for (const w of warnings) lines.push(`${c.yellow(c.bold("Warning:"))} ${c.yellow(printable(w))}`);
  }
  return lines.join("\n") + "\n";
}

function endpointBlock(
  e: EndpointPlan,
  max: number,
  c: ReturnType<typeof createColors>,
  byAction: Record<Action, Paint>,
  byKind: Record<ChangeKind, Paint>,
): string[] {
  const paint = byAction[e.action] ?? ((s: string) => s);
  // Symbols right-aligned in three columns, as Terraform does: `  + create`, `-/+ replace`.
  const symbol = (ACTION_SYMBOL[e.action] ?? "?").padStart(3);
  const label = ACTION_LABEL[e.action] ?? e.action;
  const lines = [
    `${paint(`${symbol} ${label}`)} ` +
      `${c.bold(printable(e.inference_id))} (${printable(e.service)} ${printable(e.task_type)})`,
  ];
  for (const reason of e.reasons) lines.push(`${BODY_INDENT}${c.dim("#")} ${printable(reason)}`);
  for (const change of e.changes) {
    const text = changeText(change, max);
    const line = `${byKind[kindOf(change)](text.slice(0, 1))}${text.slice(1)}`;
    const note = change.forces_replace ? `  ${c.red(`# forces replacement: ${printable(change.forces_replace)}`)}` : "";
    lines.push(`${BODY_INDENT}${line}${note}`);
  }
  if (e.references) {
    const used = describeReferences(e.references);
    lines.push(
      `${BODY_INDENT}${c.dim("#")} ${used ? `used by ${printable(used)}` : "not used by any pipeline or index"}`,
    );
  }
  for (const w of e.warnings) lines.push(`${BODY_INDENT}${c.yellow(`Warning: ${printable(w)}`)}`);
  return lines;
}
