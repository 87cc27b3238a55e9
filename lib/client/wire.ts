/** Small pieces of the client's wire handling: path segments and JSON shapes. */

/** One URL-encoded path segment; `what` names it when it is empty. */
export function seg(s: string, what: string): string {
  if (typeof s !== "string" || s === "") throw new TypeError(`${what} must be a non-empty string`);
  return encodeURIComponent(s);
}

/** A JSON object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
