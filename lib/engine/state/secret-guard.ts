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
import { EsinferError } from "../../errors";
import { isSecretRef } from "../../catalogue";
import { isSecretKey } from "../../client/redact";
import { LiteralSecret } from "../../model/secrets";
import type { StackState } from "./types";

/** The state contains something that looks like a secret value; nothing was written. */
export class SecretInStateError extends EsinferError {
  constructor(store: string, path: string, what: string) {
    super(
      `refusing to write the stack's state (${store}): ${path} holds ${what}; the state keeps only secret references and fingerprints`,
      { code: "ESINFER_SECRET_IN_STATE" },
    );
  }
}

const FINGERPRINT = /^[a-z0-9][a-z0-9-]*:[0-9a-f]{16,128}$/;

// Keys repeat across endpoints (api_key, model_id, ...): each is classified once.
const secretNamed = new Map<string, boolean>();
function namesSecret(key: string): boolean {
  let named = secretNamed.get(key);
  if (named === undefined) {
    named = isSecretKey(key) && !/_url$/i.test(key);
    if (secretNamed.size < 10_000) secretNamed.set(key, named);
  }
  return named;
}

/** Throws {@link SecretInStateError} when `state` holds what looks like a secret value (see the module comment). */
export function assertNoSecretValues(state: StackState, store: string): void {
  const refuse = (path: readonly string[], what: string): never => {
    throw new SecretInStateError(store, path.join(".") || "(root)", what);
  };
  // Every write checks the whole state, so one walk per declaration, building a path only for what it finds.
  // Elsewhere the state holds strings and numbers only: a LiteralSecret can only be a direct value.
  for (const key of Object.keys(state))
    if (key !== "endpoints" && (state as Record<string, unknown>)[key] instanceof LiteralSecret)
      refuse([key], "a literal secret value");
  for (const id of Object.keys(state.endpoints)) {
    const endpoint = state.endpoints[id]! as Record<string, unknown> & StackState["endpoints"][string];
    for (const key of Object.keys(endpoint))
      if (endpoint[key] instanceof LiteralSecret) refuse(["endpoints", id, key], "a literal secret value");
    const path = ["endpoints", id, "declared"];
    const found = findInDeclaration(endpoint.declared, path, false);
    if (found === "literal") refuse(path, "a literal secret value");
    if (found === "plain") refuse(path, "a plain value under a secret key (expected a secret reference)");
    for (const key of Object.keys(endpoint.secrets)) {
      const fingerprint: unknown = endpoint.secrets[key];
      if (fingerprint instanceof LiteralSecret) refuse(["endpoints", id, "secrets", key], "a literal secret value");
      if (typeof fingerprint !== "string" || !FINGERPRINT.test(fingerprint))
        refuse(["endpoints", id, "secrets", key], "a value that is not a fingerprint");
    }
  }
}

/**
 * The first secret value in a declaration: a `LiteralSecret`, or a string or number under a secret-named key that
 * is not part of a reference object. When found, `path` ends with the keys leading to it.
 */
function findInDeclaration(value: unknown, path: string[], underSecretKey: boolean): "literal" | "plain" | undefined {
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint")
    return underSecretKey ? "plain" : undefined;
  if (value instanceof LiteralSecret) return "literal";
  if (value === null || typeof value !== "object") return undefined;
  // A reference ({env}/{file}) names where a secret is, not the secret.
  if (underSecretKey && isSecretRef(value)) return undefined;
  for (const key of Object.keys(value)) {
    path.push(key);
    const found = findInDeclaration((value as Record<string, unknown>)[key], path, underSecretKey || namesSecret(key));
    if (found !== undefined) return found;
    path.pop();
  }
  return undefined;
}
