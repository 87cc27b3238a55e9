/**
 * Secrets are declared by reference and resolved only when a request is built. The resolved value never appears
 * in anything esinfer prints or writes: references serialize as `{"env": ...}`/`{"file": ...}`, literal values
 * (accepted only where a request body is validated) serialize as `(sensitive)`.
 */
import { EsinferError } from "../errors";
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { inspect } from "node:util";
import { EnvSecretRefSchema, isSecretRef, type EnvSecretRef, type FileSecretRef, type SecretRef } from "../catalogue";

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
  return "env" in value ? `environment variable ${value.env}` : `file ${value.file}`;
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
  readonly readFile?: (path: string) => string;
}

/** The secret's value. Throws a `SecretResolutionError` naming the reference (never a value) when unavailable. */
export function resolveSecret(value: SecretValue, source: SecretSource = {}): string {
  if (value instanceof LiteralSecret) return value.reveal();
  if ("env" in value) {
    const v = (source.env ?? process.env)[value.env];
    if (v === undefined || v === "")
      throw new SecretResolutionError(
        `environment variable ${value.env} is not set (it holds a secret this endpoint needs)`,
      );
    return v;
  }
  const path = secretFilePath(value, source);
  let text: string;
  try {
    text = (source.readFile ?? ((p: string) => readFileSync(p, "utf8")))(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new SecretResolutionError(`secret file ${value.file} cannot be read (${code})`);
  }
  const trimmed = text.replace(/\r?\n$/, "");
  if (trimmed === "") throw new SecretResolutionError(`secret file ${value.file} is empty`);
  return trimmed;
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
