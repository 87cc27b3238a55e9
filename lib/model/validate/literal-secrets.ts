/**
 * Literal secrets in a declaration: refused with advice on how to reference them (the default), or, where a request
 * body is validated, wrapped in `LiteralSecret`s that never print. The schema then checks everything else with a
 * reference-shaped placeholder where each literal was.
 */
import { isSecretRef, type TaskSpec } from "../../catalogue";
import { LiteralSecret } from "../secrets";
import { isPlainObject, settingsFacts } from "../schema-walk";
import { add, referenceAdvice, type Context } from "./context";

/** Stands in for a literal secret already reported, so the schema does not report it again. */
const PLACEHOLDER = Object.freeze({ env: "ESINFER_PLACEHOLDER" });

// Copies are made with spreads and Object.fromEntries, which define own properties: a user's `__proto__` key stays
// a key. Assignments below use the catalogue's secret field names only.

/**
 * Returns settings in which each secret is a reference or a `LiteralSecret` (and whether there is any), ready for
 * the zod schema (which checks references).
 */
export function prepareSecrets(
  ctx: Context,
  spec: TaskSpec,
  settings: Record<string, unknown>,
): { prepared: Record<string, unknown>; literals: boolean } {
  const secrets = settingsFacts(spec.serviceSettings).secrets.filter(({ key }) => Object.hasOwn(settings, key));
  if (secrets.length === 0) return { prepared: settings, literals: false };
  const out: Record<string, unknown> = { ...settings };
  const accept = ctx.options.literalSecrets === "accept";
  let literals = false; // whether a LiteralSecret was made (only then do the schema and the result need swaps)
  const handle = (path: string, value: unknown): unknown => {
    if (typeof value !== "string") return value;
    if (!accept) {
      add(ctx, path, "is a literal secret, which esinfer never stores or prints; declare a reference instead", {
        allowed: referenceAdvice(ctx, path),
      });
      return PLACEHOLDER;
    }
    if (value.length === 0) {
      add(ctx, path, "must be a non-empty string");
      return PLACEHOLDER;
    }
    literals = true;
    return new LiteralSecret(value);
  };
  for (const { key, map } of secrets) {
    const value = settings[key];
    if (!map) out[key] = handle(`service_settings.${key}`, value);
    else if (isPlainObject(value))
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, handle(`service_settings.${key}.${k}`, v)]),
      );
  }
  return { prepared: out, literals };
}

/** What the schema checks: every literal (wrapped or already reported) replaced by a reference-shaped placeholder. */
export function placeholdersForLiterals(prepared: Record<string, unknown>): Record<string, unknown> {
  const swap = (v: unknown) => (v instanceof LiteralSecret ? PLACEHOLDER : v);
  return Object.fromEntries(
    Object.entries(prepared).map(([k, v]) => [
      k,
      isPlainObject(v) && !isSecretRef(v)
        ? Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, swap(vv)]))
        : swap(v),
    ]),
  );
}

/** Puts the `LiteralSecret`s back after the schema has checked the rest. */
export function restoreLiterals(
  parsed: Record<string, unknown>,
  prepared: Record<string, unknown>,
): Record<string, unknown> {
  const hasLiteral = (v: unknown) =>
    v instanceof LiteralSecret || (isPlainObject(v) && Object.values(v).some((x) => x instanceof LiteralSecret));
  return { ...parsed, ...Object.fromEntries(Object.entries(prepared).filter(([, v]) => hasLiteral(v))) };
}
