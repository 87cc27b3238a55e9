/** Reading JSON documents from a file or stdin, with errors that say where the input is broken. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { describeJsonError } from "../model/json-error";
import { describeReadError } from "../model/read-error";
import { InputEncodingError, decodeUtf8 } from "../model/text";
import { UsageError, type Io } from "./io";

/** Exit code for input that cannot be read at all (missing file, not UTF-8, not JSON). */
export const EXIT_UNREADABLE = 2;

export interface JsonDocument {
  readonly value: unknown;
  /** Absolute path, or `-` for stdin. */
  readonly source: string;
}

/** Parses the JSON of `file` (`-` for stdin); unreadable input is a `UsageError` with exit code 2. */
export async function readJson(io: Io, file: string): Promise<JsonDocument> {
  const source = file === "-" ? "-" : resolve(io.cwd, file);
  const name = file === "-" ? "stdin" : file;
  let bytes: Uint8Array;
  try {
    bytes = source === "-" ? await readBytes(io.stdin) : await readFile(source);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${describeReadError(e)}`, EXIT_UNREADABLE);
  }
  let text: string;
  try {
    text = decodeUtf8(bytes, name);
  } catch (e) {
    if (e instanceof InputEncodingError) throw new UsageError(e.message, EXIT_UNREADABLE);
    throw e;
  }
  try {
    return { value: JSON.parse(text), source };
  } catch (e) {
    throw new UsageError(`${name} is not valid JSON: ${describeJsonError(text, e as Error)}`, EXIT_UNREADABLE);
  }
}

async function readBytes(stream: NodeJS.ReadableStream): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
