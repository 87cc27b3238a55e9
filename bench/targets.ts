/** The targets of issue 4, checked against the measured rows. */
import { LABEL, type ContenderName } from "./contender";
import { formatMb, formatMs, type Row } from "./table";

/** esinfer's default `--parallelism`. */
export const PARALLELISM = 8;
/** Endpoints of the big plan, and the most memory it may take. */
export const BIG_PLAN = 10_000;
export const MEMORY_TARGET_MB = 250;

type Verdict = "PASS" | "FAIL" | "SKIP";

/** One line per target: PASS, FAIL, or SKIP when its scenario was not run. */
export function targets(rows: readonly Row[], latencyMs: number): string[] {
  const find = (operation: string, n: number, contender: ContenderName) =>
    rows.find((r) => r.operation === operation && r.n === n && r.contender === LABEL[contender]);
  const lines: string[] = [];
  const verdict = (v: Verdict, text: string) => lines.push(`${v}  ${text}`);

  const isPlan = (r: Row) => r.operation === "plan" || r.operation === "first plan";
  const plans = rows.filter((r) => isPlan(r) && r.contender === LABEL.esinfer);
  const counts = [...new Set(plans.map((r) => r.requests))];
  if (plans.length < 2) verdict("SKIP", "plan sends a constant number of requests whatever N (needs two sizes)");
  else
    verdict(
      counts.length === 1 ? "PASS" : "FAIL",
      `plan sends a constant number of requests whatever N: ${plans.map((r) => `${r.requests} at N = ${r.n.toLocaleString("en-US")}${r.operation === "plan" ? "" : ` (${r.operation})`}`).join(", ")}`,
    );

  const ours = find("plan", 1000, "esinfer");
  const theirs = find("plan", 1000, "terraform");
  if (ours && theirs) {
    const speedup = theirs.wallMs / ours.wallMs;
    verdict(
      speedup >= 10 ? "PASS" : "FAIL",
      `plan of 1000 at least 10x faster than (b): ${formatMs(ours.wallMs)} vs ${formatMs(theirs.wallMs)}, ${speedup.toFixed(1)}x`,
    );
  } else verdict("SKIP", "plan of 1000 at least 10x faster than (b) (not run)");

  const apply = find("apply", 1000, "esinfer");
  const budget = 1.3 * Math.ceil(1000 / PARALLELISM) * latencyMs;
  if (apply)
    verdict(
      apply.wallMs <= budget ? "PASS" : "FAIL",
      `apply of 1000 creations within 1.3 x ceil(1000/${PARALLELISM}) x ${latencyMs} ms = ${formatMs(budget)}: ${formatMs(apply.wallMs)} ` +
        `(${(apply.wallMs / (Math.ceil(1000 / PARALLELISM) * latencyMs)).toFixed(2)} x the ideal)`,
    );
  else verdict("SKIP", `apply of 1000 creations within ${formatMs(budget)} (not run)`);
  const bare = find("apply", 1000, "floor");
  if (apply && bare)
    lines.push(
      `NOTE  bare HTTP against this emulator (no checks, no state): apply of 1000 in ${formatMs(bare.wallMs)} ` +
        `(${(bare.wallMs / (Math.ceil(1000 / PARALLELISM) * latencyMs)).toFixed(2)} x the ideal); esinfer's own cost on top: ${formatMs(apply.wallMs - bare.wallMs)}`,
    );

  const big = plans.filter((r) => r.n === BIG_PLAN).sort((a, b) => b.peakMb - a.peakMb);
  if (big.length > 0)
    verdict(
      big[0]!.peakMb < MEMORY_TARGET_MB ? "PASS" : "FAIL",
      `plan of ${BIG_PLAN.toLocaleString("en-US")} endpoints under ${MEMORY_TARGET_MB} MB peak memory: ` +
        big.map((r) => `${formatMb(r.peakMb)} (${r.operation}, wall time ${formatMs(r.wallMs)})`).join(", "),
    );
  else verdict("SKIP", `plan of ${BIG_PLAN.toLocaleString("en-US")} endpoints under ${MEMORY_TARGET_MB} MB (not run)`);
  return lines;
}
