/**
 * The plan as a pull-request comment (GitHub / GitLab flavored Markdown): a heading, the summary line, a table of
 * the endpoints that change, and per endpoint a collapsible `<details>` with a ```diff block of its field changes.
 * Pure: a `Plan` in, a string out. Secrets print as `(sensitive)`, exactly as in the terminal.
 */
import type { Action, EndpointPlan, Plan } from "../plan-types";
import {
  ACTION_LABEL,
  allWarnings,
  DEFAULT_MAX_VALUE_LENGTH,
  clusterLine,
  describeReferences,
  kindOf,
  printable,
  sideOf,
  summaryLine,
} from "./human";

export interface MarkdownOptions {
  /** Longest rendering of one value before it is cut (default 120 characters). */
  readonly maxValueLength?: number;
  /**
   * Size the comment must stay under (default 60,000 characters; GitHub refuses comments over 65,536): past it,
   * the last endpoints' details are left out, then table rows, with a note saying how many.
   */
  readonly maxLength?: number;
}

export const ACTION_EMOJI: Readonly<Record<Action, string>> = {
  create: "🟢",
  update: "🟡",
  replace: "🟣",
  delete: "🔴",
  "no-op": "⚪",
};

/** Table cells list at most this many changed paths, then `and N more`. */
const PATHS_IN_TABLE = 4;

export function renderMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const max = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const budget = options.maxLength ?? 60_000;
  const changed = plan.endpoints.filter((e) => e.action !== "no-op");

  const head = [
    `### esinfer plan: stack ${code(plan.stack)}`,
    "",
    `**${escapeText(summaryLine(plan))}**`,
    "",
    `<sub>${escapeText(clusterLine(plan))}</sub>`,
    "",
  ];
  const tail: string[] = [];
  const warnings = allWarnings(plan);
  if (warnings.length > 0) {
    tail.push("");
    for (const w of warnings) tail.push(`> ⚠️ **Warning:** ${escapeText(w)}  `);
  }

  let rows = changed.map(tableRow);
  let details = changed.map((e) => detailsBlock(e, max));
  const size = () =>
    [...head, ...rows, ...details, ...tail].reduce((n, s) => n + s.length + 1, 0) + 400; /* table head, notes */
  let omittedDetails = 0;
  while (details.length > 0 && size() > budget) {
    details = details.slice(0, -1);
    omittedDetails++;
  }
  let omittedRows = 0;
  while (rows.length > 0 && size() > budget) {
    rows = rows.slice(0, -1);
    omittedRows++;
  }

  const out = [...head];
  if (changed.length > 0) {
    out.push("| Action | Endpoint | Service / task type | Fields changed |", "| --- | --- | --- | --- |", ...rows);
    if (omittedRows > 0) out.push("", `_${omittedRows} more endpoint${omittedRows === 1 ? "" : "s"} not listed._`);
    out.push("");
    for (const block of details) out.push(block, "");
    if (omittedDetails > 0)
      out.push(
        `_Details of ${omittedDetails} endpoint${omittedDetails === 1 ? "" : "s"} left out to keep this comment ` +
          "short: see `esinfer plan` or its JSON output._",
        "",
      );
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return [...out, ...tail].join("\n") + "\n";
}

function tableRow(e: EndpointPlan): string {
  const action = `${ACTION_EMOJI[e.action] ?? ""} ${escapeText(ACTION_LABEL[e.action] ?? e.action)}`;
  const kind = escapeText(`${e.service} / ${e.task_type}`);
  return `| ${action} | ${escapeCell(code(e.inference_id))} | ${kind} | ${fieldsCell(e)} |`;
}

function fieldsCell(e: EndpointPlan): string {
  const n = e.changes.length;
  if (e.action === "create") return `${n} field${n === 1 ? "" : "s"} (new)`;
  if (e.action === "delete") return "all (endpoint removed)";
  if (n === 0) return "";
  const paths = e.changes.slice(0, PATHS_IN_TABLE).map((c) => escapeCell(code(c.path)));
  const more = n > PATHS_IN_TABLE ? ` and ${n - PATHS_IN_TABLE} more` : "";
  return paths.join(", ") + more;
}

function detailsBlock(e: EndpointPlan, max: number): string {
  const lines = [
    "<details>",
    `<summary>${ACTION_EMOJI[e.action] ?? ""} <b>${html(ACTION_LABEL[e.action] ?? e.action)}</b> <code>${html(
      e.inference_id,
    )}</code> (${html(`${e.service} ${e.task_type}`)})</summary>`,
    "",
  ];
  for (const reason of e.reasons) lines.push(`- ${escapeText(reason)}`);
  if (e.reasons.length > 0) lines.push("");

  if (e.changes.length > 0) {
    const diff: string[] = [];
    for (const change of e.changes) {
      const path = printable(change.path);
      const forced = change.forces_replace ? "  # forces replacement" : "";
      const kind = kindOf(change);
      if (kind !== "add") diff.push(`- ${path} = ${sideOf(change, "before", max)}${kind === "remove" ? forced : ""}`);
      if (kind !== "remove") diff.push(`+ ${path} = ${sideOf(change, "after", max)}${forced}`);
    }
    const fence = fenceFor(diff.join("\n"));
    lines.push(`${fence}diff`, ...diff, fence, "");
  }

  const notes: string[] = [];
  for (const c of e.changes)
    if (c.forces_replace) notes.push(`**Forces replacement:** ${code(c.path)}: ${escapeText(c.forces_replace)}`);
  if (e.references) {
    const used = describeReferences(e.references);
    notes.push(
      used
        ? `**Used by** ${[
            e.references.pipelines.length > 0 ? `pipelines ${e.references.pipelines.map(code).join(", ")}` : "",
            e.references.indexes.length > 0 ? `indexes ${e.references.indexes.map(code).join(", ")}` : "",
          ]
            .filter(Boolean)
            .join(" and ")}`
        : "Not used by any pipeline or index.",
    );
  }
  for (const w of e.warnings) notes.push(`⚠️ **Warning:** ${escapeText(w)}`);
  if (notes.length > 0) lines.push(...notes.map((n) => `> ${n}  `), "");

  lines.push("</details>");
  return lines.join("\n");
}

/**
 * An inline code span that survives any content: the backtick fence is longer than the longest run of backticks
 * inside, padded with spaces when the content starts or ends with one. Newlines become spaces.
 */
export function code(text: string): string {
  const t = printable(text);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = t.startsWith("`") || t.endsWith("`") || t === "" ? " " : "";
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** Markdown text with every character Markdown or HTML would interpret escaped. */
export function escapeText(text: string): string {
  return printable(text).replace(/[\\`*_[\]<>|~&#]/g, (c) => `\\${c}`);
}

/** A code span in a table cell: `|` ends a cell even inside a code span, so it is escaped there too (GFM). */
export function escapeCell(codeSpan: string): string {
  return codeSpan.replace(/\|/g, "\\|");
}

function html(text: string): string {
  return printable(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function fenceFor(body: string): string {
  const longest = Math.max(0, ...(body.match(/`{3,}/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(3, longest + 1));
}
