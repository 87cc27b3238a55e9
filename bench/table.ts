/** The results as a Markdown table (readable in a terminal, ready to paste into a README). */

export interface Row {
  readonly operation: string;
  readonly n: number;
  readonly contender: string;
  readonly requests: number;
  readonly maxInFlight: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly peakMb: number;
}

/** Figures not measured (NaN) print as a dash. */
const known = (v: number, format: (v: number) => string) => (Number.isNaN(v) ? "—" : format(v));
export const formatMs = (ms: number): string =>
  known(ms, (v) => (v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(2)} s`));
export const formatMb = (mb: number): string => known(mb, (v) => `${v.toFixed(0)} MB`);
export const count = (n: number): string => known(n, (v) => v.toLocaleString("en-US"));

export function markdownTable(rows: readonly Row[]): string {
  return renderTable(
    ["Operation", "N", "Contender", "Requests", "Max in flight", "Wall time", "CPU time", "Peak memory"],
    [false, true, false, true, true, true, true, true],
    rows.map((r) => [
      r.operation,
      count(r.n),
      r.contender,
      count(r.requests),
      count(r.maxInFlight),
      formatMs(r.wallMs),
      formatMs(r.cpuMs),
      formatMb(r.peakMb),
    ]),
  );
}

/** A Markdown table of `cells` under `header`, columns right-aligned where `right` says. */
export function renderTable(header: readonly string[], right: readonly boolean[], cells: readonly string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    `| ${c.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(" | ")} |`;
  // Prettier's style, so that the table can be pasted into a formatted Markdown file as is.
  const rule = `| ${widths.map((w, i) => (right[i] ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [line(header), rule, ...cells.map(line)].join("\n");
}
