/**
 * Renderings of a stack diff (`esinfer diff`): the terminal, a pull-request comment, and the versioned JSON
 * document. Pure: a `StackDiff` in, a string out. Secrets print as the reference they come from,
 * `(sensitive, from OPENAI_API_KEY)`, never a value; every other value as compact JSON with invisible characters
 * escaped, as in the plan.
 */
import { createColors } from "picocolors";
import { isSecretRef } from "../../catalogue";
import { displayJson } from "../../model/text";
import type { EndpointDiff, FieldDifference, StackDiff } from "../diff";
import { DEFAULT_MAX_VALUE_LENGTH, SENSITIVE, formatValue, printable } from "./human";
import { code, escapeCell, escapeText } from "./markdown";

/** `(sensitive, from OPENAI_API_KEY)`, `(sensitive, from file ./key)`, or `(sensitive)` for anything else. */
function secretText(value: unknown): string {
  if (!isSecretRef(value)) return SENSITIVE;
  return "env" in value
    ? `(sensitive, from ${printable(value.env)})`
    : `(sensitive, from file ${printable(value.file)})`;
}

/** One side's value of a difference, as shown; undefined when the side does not have the field. */
function shown(d: FieldDifference, side: "left" | "right", max: number): string | undefined {
  if (!Object.hasOwn(d, side)) return undefined;
  return d.secret ? secretText(d[side]) : formatValue(d[side], max);
}

/** `2 only in staging, 1 only in prod, 3 different, 4 the same.` or the sentence saying nothing differs. */
export function diffSummaryLine(diff: Pick<StackDiff, "summary" | "left" | "right">): string {
  const { summary: s, left, right } = diff;
  const l = printable(left.label);
  const r = printable(right.label);
  if (s.only_left + s.only_right + s.different === 0)
    return `No differences: ${l} and ${r} have the same ${s.same} endpoint${s.same === 1 ? "" : "s"}.`;
  return `Diff: ${s.only_left} only in ${l}, ${s.only_right} only in ${r}, ${s.different} different, ${s.same} the same.`;
}

/** How endpoints were paired, in a sentence. */
function pairingLine(diff: StackDiff): string {
  const prefixes = diff.match.strip_prefixes;
  const by = `Endpoints paired by inference_id${prefixes.length > 0 ? `, less the prefix ${prefixes.map(printable).join(" or ")}` : ""}`;
  return `${by}; ${diff.live ? "each side as its cluster holds it" : "each side as declared"}.`;
}

/** `search-emb (openai text_embedding)`, with both ids when they differ. */
function endpointTitle(e: EndpointDiff): string {
  const side = e.left ?? e.right!;
  const ids =
    e.left && e.right && e.left.inference_id !== e.right.inference_id
      ? `${e.key}: ${e.left.inference_id} -> ${e.right.inference_id}`
      : side.inference_id;
  return `${printable(ids)} (${printable(`${side.service} ${side.task_type}`)})`;
}

export interface DiffHumanOptions {
  /** ANSI colors; with `false` the output contains no escape sequence at all. */
  readonly color: boolean;
  /** Longest rendering of one value before it is cut (default 120 characters). */
  readonly maxValueLength?: number;
}

export function renderDiffHuman(diff: StackDiff, options: DiffHumanOptions): string {
  const c = createColors(options.color);
  const max = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const l = printable(diff.left.label);
  const r = printable(diff.right.label);
  const lines = [
    `Stack ${c.bold(printable(diff.left.stack))} (${printable(diff.left.source)}) -> stack ` +
      `${c.bold(printable(diff.right.stack))} (${printable(diff.right.source)})`,
    `${pairingLine(diff)} ${c.red("-")} is ${l}'s, ${c.green("+")} ${r}'s.`,
    "",
  ];
  const only = diff.endpoints.filter((e) => e.status === "only_left" || e.status === "only_right");
  for (const e of only)
    lines.push(
      e.status === "only_left"
        ? `  ${c.red("-")} only in ${l}: ${endpointTitle(e)}`
        : `  ${c.green("+")} only in ${r}: ${endpointTitle(e)}`,
    );
  if (only.length > 0) lines.push("");
  for (const e of diff.endpoints.filter((x) => x.status === "different")) {
    lines.push(`  ${c.yellow("~")} ${c.bold(endpointTitle(e))}`);
    for (const d of e.differences) {
      const path = printable(d.path);
      const a = shown(d, "left", max);
      const b = shown(d, "right", max);
      lines.push(
        a === undefined
          ? `      ${c.green("+")} ${path} = ${b}`
          : b === undefined
            ? `      ${c.red("-")} ${path} = ${a}`
            : `      ${c.yellow("~")} ${path} = ${a} -> ${b}`,
      );
    }
    if (e.differences.length === 0) lines.push("      # only the inference ids differ");
    lines.push("");
  }
  lines.push(c.bold(diffSummaryLine(diff)));
  for (const note of diff.notes) lines.push(`Note: ${printable(note)}`);
  return lines.join("\n") + "\n";
}

export interface DiffMarkdownOptions {
  /** Longest rendering of one value before it is cut (default 120 characters). */
  readonly maxValueLength?: number;
  /** Size the comment must stay under (default 60,000 characters; GitHub refuses comments over 65,536). */
  readonly maxLength?: number;
}

/**
 * The diff as a pull-request comment: a heading, the summary, the endpoints on one side only, and a table per
 * endpoint that differs (field, one side's value, the other's). Past `maxLength`, the last tables are left out
 * with a note.
 */
export function renderDiffMarkdown(diff: StackDiff, options: DiffMarkdownOptions = {}): string {
  const max = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const budget = options.maxLength ?? 60_000;
  const l = diff.left.label;
  const r = diff.right.label;
  const out = [
    `### esinfer diff: ${code(diff.left.stack)} → ${code(diff.right.stack)}`,
    "",
    `**${escapeText(diffSummaryLine(diff))}**`,
    "",
    `<sub>${escapeText(`${l}: ${diff.left.source}; ${r}: ${diff.right.source}. ${pairingLine(diff)}`)}</sub>`,
    "",
  ];
  for (const [status, label] of [
    ["only_left", l],
    ["only_right", r],
  ] as const) {
    const only = diff.endpoints.filter((e) => e.status === status);
    if (only.length === 0) continue;
    out.push(`#### Only in ${code(label)}`, "");
    for (const e of only) {
      const side = (e.left ?? e.right)!;
      out.push(`- ${code(side.inference_id)} (${escapeText(`${side.service} ${side.task_type}`)})`);
    }
    out.push("");
  }
  const tail = diff.notes.map((n) => `> ${escapeText(n)}  `);
  const size = () => [...out, ...tail].reduce((n, s) => n + s.length + 1, 0) + 200;
  const different = diff.endpoints.filter((e) => e.status === "different");
  let remaining = different.length;
  for (const e of different) {
    const table = differenceTable(e, l, r, max);
    if (size() + table.reduce((n, s) => n + s.length + 1, 0) > budget) break;
    out.push(...table, "");
    remaining--;
  }
  if (remaining > 0)
    out.push(
      `_The fields of ${remaining} more endpoint${remaining === 1 ? "" : "s"} left out to keep this comment short: see ` +
        "`esinfer diff` or its JSON output._",
      "",
    );
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return [...out, ...(tail.length > 0 ? ["", ...tail] : [])].join("\n") + "\n";
}

function differenceTable(e: EndpointDiff, l: string, r: string, max: number): string[] {
  const side = (e.left ?? e.right)!;
  const ids =
    e.left && e.right && e.left.inference_id !== e.right.inference_id
      ? `${code(e.left.inference_id)} → ${code(e.right.inference_id)}`
      : code(side.inference_id);
  const rows = e.differences.map((d) => {
    const cell = (s: string | undefined) => (s === undefined ? "—" : escapeCell(code(s)));
    return `| ${escapeCell(code(d.path))} | ${cell(shown(d, "left", max))} | ${cell(shown(d, "right", max))} |`;
  });
  return [
    `#### ${ids} (${escapeText(`${side.service} ${side.task_type}`)})`,
    "",
    ...(rows.length > 0
      ? [`| Field | ${escapeCell(code(l))} | ${escapeCell(code(r))} |`, "| --- | --- | --- |", ...rows]
      : ["Only the inference ids differ."]),
  ];
}

/** The diff as its versioned JSON document (`format_version`), secrets as references. */
export function renderDiffJson(diff: StackDiff): string {
  return displayJson(diff, 2) + "\n";
}
