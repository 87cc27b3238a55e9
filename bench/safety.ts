/**
 * The safety figures of issue 9, measured for real (`npm run bench:safety`): the time from SIGINT / SIGTERM to the
 * exit of a running `esinfer apply`, how many of the SIGKILL trials converged on a re-run, and how long a lock of a
 * killed holder blocks the next run (both state stores; same host, and another host whose lease runs out).
 *
 * The measuring is done by the suites that also check the behavior (test/cli/interrupt.test.ts,
 * test/cli/crash.test.ts, the state stores' conformance suite): they spawn the real CLI against the emulator and
 * send real signals. With ESINFER_REPORT_TIMINGS=1 they print what they measured, which no test asserts on; this
 * script runs them that way and prints those lines alone.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

const root = join(__dirname, "..");
const suites = ["test/cli/interrupt.test.ts", "test/cli/crash.test.ts", "test/engine/state"];
const jest = spawn(process.execPath, [join(root, "node_modules", "jest", "bin", "jest.js"), "--runInBand", ...suites], {
  cwd: root,
  env: { ...process.env, ESINFER_REPORT_TIMINGS: "1" },
  stdio: ["ignore", "pipe", "pipe"],
});
let out = "";
let err = "";
jest.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
jest.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
jest.on("close", (code) => {
  const figures = out.split("\n").filter((line) => /^(timing: |crash trials: |\[takeover\] )/.test(line));
  process.stdout.write(`${figures.join("\n")}\n`);
  const summary = err.split("\n").filter((line) => /^(Tests|Test Suites):/.test(line));
  process.stdout.write(`${summary.join("\n")}\n`);
  if (code !== 0) {
    process.stderr.write(`the suites failed (exit ${code}): these figures are not to be quoted\n${err.slice(-4000)}`);
    process.exitCode = 1;
  }
});
