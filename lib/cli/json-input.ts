/** Reading JSON documents from a file or stdin, with errors that say where the input is broken. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describeJsonError } from "../model/json-error";
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
