/**
 * Prints a figure a test measured, with ESINFER_REPORT_TIMINGS=1 (what `npm run bench:safety` collects for the
 * closing note); never asserted on, so a slow machine cannot fail a test through it.
 */
export function reportFigure(line: string): void {
  if (process.env["ESINFER_REPORT_TIMINGS"]) process.stdout.write(`${line}\n`);
}
