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

export const formatMs = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
export const formatMb = (mb: number): string => `${mb.toFixed(0)} MB`;
const count = (n: number) => n.toLocaleString("en-US");

export function markdownTable(rows: readonly Row[]): string {
  const header = ["Operation", "N", "Contender", "Requests", "Max in flight", "Wall time", "CPU time", "Peak memory"];
  const right = [false, true, false, true, true, true, true, true];
  const cells = rows.map((r) => [
    r.operation,
    count(r.n),
    r.contender,
    count(r.requests),
    String(r.maxInFlight),
    formatMs(r.wallMs),
    formatMs(r.cpuMs),
    formatMb(r.peakMb),
  ]);
  const widths = header.map((h, i) => Math.max(3, h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    `| ${c.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(" | ")} |`;
  // Prettier's style, so that the table can be pasted into a formatted Markdown file as is.
  const rule = `| ${widths.map((w, i) => (right[i] ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`;
  return [line(header), rule, ...cells.map(line)].join("\n");
}
