/** The real `esinfer` CLI as a child process (bin/esinfer.js, compiled dist/), for signal and crash tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export const BIN = join(__dirname, "..", "..", "bin", "esinfer.js");

export interface SpawnedCli {
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr apart. */
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves once stdout or stderr contains `text` (rejects if the process ends first). */
  waitFor(text: string | RegExp): Promise<void>;
  /** The exit: code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCli(
  args: string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): SpawnedCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, NO_COLOR: "1", ...options.env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters: { test: (s: string) => boolean; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters])
      if (w.test(out + err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  child.stdout!.on("data", (d: Buffer) => ((out += d.toString("utf8")), check()));
  child.stderr!.on("data", (d: Buffer) => ((err += d.toString("utf8")), check()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => {
      for (const w of waiters.splice(0))
        w.reject(new Error(`esinfer ${args.join(" ")} ended before printing what was awaited:\n${out}\n${err}`));
      resolve({ code, signal });
    }),
  );
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    waitFor(text) {
      const test = (s: string) => (typeof text === "string" ? s.includes(text) : text.test(s));
      if (test(out + err)) return Promise.resolve();
      return new Promise((resolve, reject) => waiters.push({ test, resolve, reject }));
    },
  };
}
