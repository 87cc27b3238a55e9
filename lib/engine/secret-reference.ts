/** How plans show where a secret comes from, never what it is. */
import { LiteralSecret, type SecretValue } from "../model";

/**
 * Where a declared secret comes from: `{ reference: "OPENAI_API_KEY" }` or `{ reference: "file key.txt" }`; nothing
 * for a literal (whose value must never be described). Plans show it as `(sensitive, from OPENAI_API_KEY)`.
 */
export function secretReference(value: SecretValue): { reference?: string } {
  if (value instanceof LiteralSecret || value === null || typeof value !== "object") return {};
  if (Object.hasOwn(value, "env") && typeof (value as { env: unknown }).env === "string")
    return { reference: (value as { env: string }).env };
  if (Object.hasOwn(value, "file") && typeof (value as { file: unknown }).file === "string")
    return { reference: `file ${(value as { file: string }).file}` };
  return {};
}
