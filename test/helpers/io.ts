/** An in-memory `Io` for running CLI commands in-process and reading what they printed. */
import { Readable } from "node:stream";
import type { Io } from "../../lib/cli/io";

export interface CapturedIo extends Io {
  out(): string;
  err(): string;
}

export function captureIo(
  options: { cwd?: string; env?: Record<string, string | undefined>; stdin?: string; tty?: boolean } = {},
): CapturedIo {
  let out = "";
  let err = "";
  return {
    stdout: { write: (s: string) => (out += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: options.tty ?? false },
    stdin: Readable.from([options.stdin ?? ""]),
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
