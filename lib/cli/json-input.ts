/** Reading JSON documents from a file or stdin, with errors that say where the input is broken. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { readStream, UsageError, type Io } from "./io";

/** Exit code for input that cannot be read at all (missing file, not JSON). */
export const EXIT_UNREADABLE = 2;

export interface JsonDocument {
  readonly value: unknown;
  /** Absolute path, or `-` for stdin. */
  readonly source: string;
}

export async function readJson(io: Io, file: string): Promise<JsonDocument> {
  const source = file === "-" ? "-" : resolve(io.cwd, file);
  let text: string;
  try {
    text = source === "-" ? await readStream(io.stdin) : await readFile(source, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "permission denied"
            : String((e as Error).message);
    throw new UsageError(`cannot read ${file}: ${why}`, EXIT_UNREADABLE);
  }
  try {
    return { value: JSON.parse(text), source };
  } catch (e) {
    throw new UsageError(
      `${file === "-" ? "stdin" : file} is not valid JSON: ${describeJsonError(text, e as Error)}`,
      EXIT_UNREADABLE,
    );
  }
}

/** Node reports a character position; people look for a line and column. */
function describeJsonError(text: string, error: Error): string {
  if (text.trim() === "") return "it is empty";
  const message = error.message.replace(/^JSON\.parse: /, "");
  const m = /at position (\d+)/.exec(message);
  if (!m) return message;
  const position = Number(m[1]);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `${message.replace(/ in JSON at position \d+.*$/, "").replace(/ at position \d+.*$/, "")} at line ${line}, column ${column}`;
}
