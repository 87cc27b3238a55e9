/**
 * Secrets are declared by reference and resolved only when a request is built. The resolved value never appears
 * in anything esinfer prints or writes: references serialize as `{"env": ...}`/`{"file": ...}`, literal values
 * (accepted only where a request body is validated) serialize as `(sensitive)`.
 */
import { EsinferError } from "../errors";
import { createHmac, randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { inspect } from "node:util";
import { EnvSecretRefSchema, isSecretRef, type EnvSecretRef, type FileSecretRef, type SecretRef } from "../catalogue";
import { decodeUtf8, InputEncodingError } from "./text";
import { describeReadError } from "./read-error";

export const REDACTED = "(sensitive)";

/** Build secret references for declarations: `secret.env("OPENAI_API_KEY")`, `secret.file("./vertex.json")`. */
export const secret = {
  /** The value of an environment variable, read when a request is sent. */
  env(name: string): EnvSecretRef {
    if (!EnvSecretRefSchema.safeParse({ env: name }).success)
      throw new TypeError(
        `secret.env(${JSON.stringify(name)}): not an environment variable name (letters, digits and _)`,
      );
    return Object.freeze({ env: name });
  },
  /** The contents of a file (one trailing newline removed), read when a request is sent. */
  file(path: string): FileSecretRef {
    if (typeof path !== "string" || path.length === 0)
      throw new TypeError("secret.file(path): path must be a non-empty string");
    return Object.freeze({ file: path });
  },
};

/** A secret written literally in a request body. Kept out of every output; only `reveal()` gives the value. */
export class LiteralSecret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return REDACTED;
  }
  toString(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export type SecretValue = SecretRef | LiteralSecret;

export function isSecretValue(value: unknown): value is SecretValue {
  return value instanceof LiteralSecret || isSecretRef(value);
}

/** How a secret is referenced, for messages: `environment variable OPENAI_API_KEY`. Never the value. */
export function describeSecret(value: SecretValue): string {
  if (value instanceof LiteralSecret) return "a literal value";
  return Object.hasOwn(value, "env")
    ? `environment variable ${(value as EnvSecretRef).env}`
    : `file ${(value as FileSecretRef).file}`;
}

export class SecretResolutionError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_SECRET_UNRESOLVED" });
  }
}

export interface SecretSource {
  /** Environment to read `env` references from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory that relative `file` references are resolved against (default the working directory). */
  readonly baseDir?: string;
  /** Replaces reading a secret file (tests). The default is {@link readSecretFile}. */
  readonly readFile?: (path: string) => string;
}

/** The largest secret file esinfer reads: keys, tokens and service-account JSON are far smaller. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** The secret's value. Throws a `SecretResolutionError` naming the reference (never a value) when unavailable. */
export function resolveSecret(value: SecretValue, source: SecretSource = {}): string {
  if (value instanceof LiteralSecret) return value.reveal();
  if (Object.hasOwn(value, "env")) {
    const name = (value as EnvSecretRef).env;
    const env = source.env ?? process.env;
    // The name is data: `__proto__` or `constructor` is a variable that is not set, not Object.prototype's member.
    const v = Object.hasOwn(env, name) ? env[name] : undefined;
    if (typeof v !== "string" || v === "")
      throw new SecretResolutionError(
        `environment variable ${name} is not set (it holds a secret this endpoint needs)`,
      );
    return v;
  }
  const ref = value as FileSecretRef;
  const what = `secret file ${ref.file}`;
  let text: string;
  try {
    text = (source.readFile ?? ((path: string) => readSecretFile(path, what)))(secretFilePath(ref, source));
  } catch (e) {
    if (e instanceof SecretResolutionError) throw e;
    throw new SecretResolutionError(`${what} cannot be read: ${describeReadError(e)}`);
  }
  const trimmed = text.replace(/\r?\n$/, "");
  if (trimmed === "") throw new SecretResolutionError(`secret file ${ref.file} is empty`);
  return trimmed;
}

/**
 * The text of a secret file, refused before anything is sent unless it is a regular file (a symbolic link to one
 * is fine) of at most {@link MAX_SECRET_FILE_BYTES} bytes of valid UTF-8. The file is opened without blocking and
 * checked with `fstat` before a byte is read, so a FIFO nobody writes to cannot hang the run, and what is checked
 * is what is read. Errors name `what` (e.g. `secret file ./key.txt`), never the content.
 */
export function readSecretFile(path: string, what: string): string {
  const refuse = (why: string) => new SecretResolutionError(`${what} ${why}`);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer (absent on Windows, where FIFOs are not files).
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Opening a Unix socket fails with ENXIO; say what it is rather than the errno.
    if (code === "ENXIO") throw refuse(`is ${kindOfFile(statOrUndefined(path))}, not a regular file`);
    throw refuse(`cannot be read: ${describeReadError(e)}`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw refuse(`is ${kindOfFile(stats)}, not a regular file`);
    if (stats.size > MAX_SECRET_FILE_BYTES)
      throw refuse(`is ${stats.size} bytes, larger than the ${MAX_SECRET_FILE_BYTES} bytes a secret file may have`);
    // One byte more than allowed: a file that grew since fstat is still caught.
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = length < buffer.length ? readSync(fd, buffer, length, buffer.length - length, null) : 0;
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_SECRET_FILE_BYTES)
      throw refuse(`is larger than the ${MAX_SECRET_FILE_BYTES} bytes a secret file may have`);
    return decodeUtf8(buffer.subarray(0, length), what);
  } catch (e) {
    if (e instanceof SecretResolutionError) throw e;
    if (e instanceof InputEncodingError) throw new SecretResolutionError(e.message);
    throw refuse(`cannot be read: ${describeReadError(e)}`);
  } finally {
    closeSync(fd);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** What a file that is not a regular file is, in words. */
function kindOfFile(stats: Stats | undefined): string {
  if (stats === undefined) return "not a file";
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/** The file a `file` reference reads: relative paths are resolved against the source's base directory. */
function secretFilePath(ref: FileSecretRef, source: SecretSource = {}): string {
  return isAbsolute(ref.file) ? ref.file : resolve(source.baseDir ?? process.cwd(), ref.file);
}

/** A random salt for secret fingerprints (one per state, so fingerprints cannot be compared across stacks). */
export function newFingerprintSalt(): string {
  return randomBytes(16).toString("hex");
}

/** A salted fingerprint of a secret value: detects rotation without storing anything that reveals the value. */
export function fingerprintSecret(value: string, salt: string): string {
  return "hmac-sha256:" + createHmac("sha256", salt).update(value, "utf8").digest("hex").slice(0, 32);
}
