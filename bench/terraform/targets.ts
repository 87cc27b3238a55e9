/** The Terraform path's table and targets (issue 11), checked against the measured rows. */
import { count, formatMb, formatMs, renderTable } from "../table";
import type { TerraformRow } from "./scenarios";

/** Most esinfer processes one `terraform apply` may start, whatever N. */
export const MAX_PROCESSES = 5;
/** The Terraform path may take at most this many times esinfer's own apply. */
export const MAX_RATIO = 2;

export function terraformTable(rows: readonly TerraformRow[]): string {
  return renderTable(
    [
      "Operation",
      "N",
      "Contender",
      "esinfer processes",
      "Requests",
      "Max in flight",
      "Wall time",
      "CPU time",
      "Peak memory",
    ],
    [false, true, false, true, true, true, true, true, true],
    rows.map((r) => [
      r.operation,
      count(r.n),
      r.contender,
      String(r.processes),
      count(r.requests),
      count(r.maxInFlight),
      formatMs(r.wallMs),
      formatMs(r.cpuMs),
      formatMb(r.peakMb),
    ]),
  );
}

export function terraformTargets(rows: readonly TerraformRow[]): string[] {
  const lines: string[] = [];
  const find = (operation: string, n: number, contender: string) =>
    rows.find((r) => r.operation === operation && r.n === n && r.contender === contender);
  const applies = rows.filter((r) => r.contender.startsWith("Terraform path") && r.operation.startsWith("tf apply"));
  if (applies.length > 0) {
    const most = Math.max(...applies.map((r) => r.processes));
    lines.push(
      `${most <= MAX_PROCESSES ? "PASS" : "FAIL"}  esinfer processes per terraform apply at most ${MAX_PROCESSES} whatever N: ` +
        applies
          .map((r) => `${r.processes} (${r.operation.slice(10)} of ${count(r.n)}${r.contender.slice(14)})`)
          .join(", "),
    );
  }
  for (const n of [...new Set(rows.map((r) => r.n))])
    for (const operation of ["tf apply: create", "tf apply: update"]) {
      const path = find(operation, n, "Terraform path");
      const esinfer = find(operation, n, "esinfer apply --no-synth");
      const bare = find(operation, n, "records alone (reference)");
      if (!path || !esinfer) continue;
      const ratio = path.wallMs / esinfer.wallMs;
      const what = `${operation.slice(10)} of ${count(n)}`;
      lines.push(
        `${ratio <= MAX_RATIO ? "PASS" : "FAIL"}  Terraform path within ${MAX_RATIO}x esinfer's own apply, ${what}: ` +
          `${formatMs(path.wallMs)} vs ${formatMs(esinfer.wallMs)}, ${ratio.toFixed(1)}x`,
      );
      if (bare)
        lines.push(
          `NOTE  Terraform alone, ${what} of the same ${count(n)} records without anchor, runner or hook: ` +
            `${formatMs(bare.wallMs)} (${(bare.wallMs / esinfer.wallMs).toFixed(1)}x esinfer's apply); the ` +
            `Terraform path adds ${formatMs(path.wallMs - bare.wallMs)} to it (the runner's apply, two more resources)`,
        );
      for (const other of rows.filter(
        (r) => r.operation === operation && r.n === n && r.contender.includes("-parallelism"),
      ))
        lines.push(
          `NOTE  ${other.contender}, ${what}: ${formatMs(other.wallMs)} (${(other.wallMs / esinfer.wallMs).toFixed(1)}x)`,
        );
    }
  return lines;
}
