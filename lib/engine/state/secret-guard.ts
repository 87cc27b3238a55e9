/**
 * Last line of defence before a state is written: the state holds secret references and fingerprints only, so
 * anything that looks like a secret value is a bug upstream and the write is refused (naming the path, never the
 * value). The rules are deliberately simple:
 *
 * 1. No `LiteralSecret` anywhere in the state.
 * 2. In an endpoint's `declared`, a string (or number) under a key that names a secret (`isSecretKey`: `api_key`,
 *    `secret_parameters`, ...) must be part of a reference object (`{"env": ...}` / `{"file": ...}`). Keys ending
 *    in `_url` are exempt: `token_url` names where a token is fetched, not a token.
 * 3. Every value of an endpoint's `secrets` map looks like a fingerprint (`<algorithm>:<hex>`).
 */
import { isSecretRef } from "../../catalogue";
import { isSecretKey } from "../../client/redact";
import { LiteralSecret } from "../../model/secrets";
import type { StackState } from "./types";

/** The state contains something that looks like a secret value; nothing was written. */
export class SecretInStateError extends Error {
  constructor(store: string, path: string, what: string) {
    super(
      `refusing to write the stack's state (${store}): ${path} holds ${what}; the state keeps only secret references and fingerprints`,
    );
    this.name = "SecretInStateError";
  }
}

const FINGERPRINT = /^[a-z0-9][a-z0-9-]*:[0-9a-f]{16,128}$/;

const namesSecret = (key: string) => isSecretKey(key) && !/_url$/i.test(key);

/** Throws {@link SecretInStateError} when `state` holds what looks like a secret value (see the module comment). */
export function assertNoSecretValues(state: StackState, store: string): void {
  const fail = (path: string, what: string): never => {
    throw new SecretInStateError(store, path, what);
  };
  const literal = findLiteral(state, "");
  if (literal !== undefined) fail(literal, "a literal secret value");
  for (const [id, endpoint] of Object.entries(state.endpoints)) {
    const plain = findPlainUnderSecretKey(endpoint.declared, `endpoints.${id}.declared`, false);
    if (plain !== undefined) fail(plain, "a plain value under a secret key (expected a secret reference)");
    for (const [path, fingerprint] of Object.entries(endpoint.secrets)) {
      if (typeof fingerprint !== "string" || !FINGERPRINT.test(fingerprint)) {
        fail(`endpoints.${id}.secrets.${path}`, "a value that is not a fingerprint");
      }
    }
  }
}

/** Path of the first `LiteralSecret` in `value`. */
function findLiteral(value: unknown, path: string): string | undefined {
  if (value instanceof LiteralSecret) return path || "(root)";
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findLiteral(child, path ? `${path}.${key}` : key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Path of the first string or number under a secret-named key that is not part of a reference object. */
function findPlainUnderSecretKey(value: unknown, path: string, underSecretKey: boolean): string | undefined {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") {
    return underSecretKey ? path : undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  // A reference ({env}/{file}) names where a secret is, not the secret.
  if (underSecretKey && isSecretRef(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findPlainUnderSecretKey(child, `${path}.${key}`, underSecretKey || namesSecret(key));
    if (found !== undefined) return found;
  }
  return undefined;
}
