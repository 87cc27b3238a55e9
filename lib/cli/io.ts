/** What a command may touch: its streams, environment and working directory (injected so tests run in-process). */
import { EXIT, EsinferError } from "../errors";
import { createColors } from "picocolors";

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly stdin: NodeJS.ReadableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/** Colors when writing to a terminal, never with NO_COLOR set; FORCE_COLOR turns them on anywhere. */
export function colors(io: Io, stream: Output = io.stdout) {
  const enabled = io.env.NO_COLOR ? false : io.env.FORCE_COLOR ? io.env.FORCE_COLOR !== "0" : Boolean(stream.isTTY);
  return createColors(enabled);
}

export type Colors = ReturnType<typeof colors>;

/** A problem the user can fix in how they run esinfer: printed as one message, without a stack trace. */
export class UsageError extends EsinferError {
  constructor(message: string, exitCode: number = EXIT.error) {
    super(message, { code: "ESINFER_USAGE", exitCode });
  }
}

export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
