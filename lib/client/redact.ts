/**
 * Process-wide redaction of secrets from anything esinfer prints: log lines, error messages, and error reasons
 * echoed back by Elasticsearch (a server may quote the bad value it was sent).
 *
 * Two mechanisms, because neither is enough alone:
 * - by value: every secret esinfer knows (connection credentials, resolved provider keys) is registered here and
 *   replaced wherever it appears in text;
 * - by key: JSON values under secret-looking keys are replaced before a body is ever turned into text, so a secret
 *   nobody registered still does not reach a log.
 */

/** What a redacted value is replaced with. Matches the wording Terraform uses for sensitive values. */
export const REDACTED = "(sensitive)";

/**
 * Values shorter than this are not registered: replacing a two-letter string everywhere would mangle every line
 * (and such a value offers no protection worth having anyway).
 */
export const MIN_SECRET_LENGTH = 4;

const secretValues = new Set<string>();
/**
 * The registered forms by their first {@link MIN_SECRET_LENGTH} characters, each bucket longest first: `redact`
 * looks up each position of a text instead of searching the text for every form (a run registers thousands).
 */
const byPrefix = new Map<string, string[]>();

/**
 * Registers a value that must never be printed, with the encodings a server or a proxy may echo it in: JSON-escaped,
 * percent-encoded (as `encodeURIComponent` writes it, as RFC 3986 and HTML forms do, with upper- or lower-case hex),
 * and base64 and base64url, on its own or inside a longer encoded text (a `user:password` pair, a JSON document).
 * Forms shorter than {@link MIN_SECRET_LENGTH} are left out, as short values themselves are.
 */
export function registerSecretValue(value: string | undefined | null): void {
  if (typeof value !== "string") return;
  const trimmed = value.trim();
  if (trimmed.length < MIN_SECRET_LENGTH) return;
  for (const form of new Set([value, ...encodedForms(trimmed)])) {
    if (form.length < MIN_SECRET_LENGTH || secretValues.has(form)) continue;
    secretValues.add(form);
    const prefix = form.slice(0, MIN_SECRET_LENGTH);
    const bucket = byPrefix.get(prefix);
    if (bucket === undefined) byPrefix.set(prefix, [form]);
    else {
      const shorter = bucket.findIndex((f) => f.length < form.length);
      bucket.splice(shorter < 0 ? bucket.length : shorter, 0, form);
    }
  }
}

/** The forms a secret may be echoed in (the secret itself included). */
export function encodedForms(secret: string): string[] {
  const percent = [
    encodeURIComponent(secret),
    // RFC 3986 leaves only A-Z a-z 0-9 - . _ ~ unescaped; encodeURIComponent also leaves ! ' ( ) *.
    encodeURIComponent(secret).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    // application/x-www-form-urlencoded: a space is "+", and only * - . _ stay as they are.
    new URLSearchParams([["", secret]]).toString().slice(1),
  ];
  const jsonEscaped = JSON.stringify(secret).slice(1, -1);
  const forms = [secret, jsonEscaped, ...percent];
  for (const p of percent) forms.push(p.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  // Base64 of the secret alone, or of a text holding it (a JSON document holds it JSON-escaped).
  for (const text of new Set([secret, jsonEscaped])) {
    const bytes = Buffer.from(text, "utf8");
    for (const b64 of [bytes.toString("base64"), ...base64Cores(bytes)])
      forms.push(b64, b64.replace(/=+$/, ""), b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  }
  return forms;
}

/**
 * The characters of the base64 encoding of `bytes` that do not depend on what surrounds them, for each of the three
 * alignments they can have inside a longer encoded text: base64 of `elastic:<password>` contains one of these.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    // Characters are 6-bit groups: drop those holding a bit of the filler before or of whatever follows.
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    if (end > first) cores.push(encoded.slice(first, end));
  }
  return cores;
}

/** Forgets every registered value. For tests; production code never needs it. */
export function clearSecretValues(): void {
  secretValues.clear();
  byPrefix.clear();
}

/** Number of registered value forms (for tests and diagnostics; never the values themselves). */
export function secretValueCount(): number {
  return secretValues.size;
}

/**
 * Replaces every registered secret value in `text` with {@link REDACTED}. Overlapping occurrences (a secret that
 * contains or overlaps another) are replaced as one span, so no fragment of either remains.
 */
export function redact(text: string): string {
  if (byPrefix.size === 0) return text;
  let out = "";
  let copied = 0; // text before this index is in `out`
  let spanStart = -1;
  let spanEnd = -1;
  for (let i = 0; i + MIN_SECRET_LENGTH <= text.length; i++) {
    const bucket = byPrefix.get(text.slice(i, i + MIN_SECRET_LENGTH));
    const match = bucket?.find((form) => text.startsWith(form, i));
    if (match === undefined) continue;
    if (i >= spanEnd) {
      // A new span: the previous one (if any) is complete.
      if (spanStart >= 0) {
        out += text.slice(copied, spanStart) + REDACTED;
        copied = spanEnd;
      }
      spanStart = i;
    }
    spanEnd = Math.max(spanEnd, i + match.length);
  }
  if (spanStart < 0) return text;
  return out + text.slice(copied, spanStart) + REDACTED + text.slice(spanEnd);
}

// Exact key names that hold secrets in inference service settings and esinfer's own options.
const SECRET_KEYS = new Set([
  "api_key",
  "apikey",
  "secret_key",
  "access_key",
  "client_secret",
  "entra_id",
  "service_account_json",
  "secret_parameters",
  "password",
  "token",
  "bearer_token",
  "authorization",
]);

// Substrings that make any key secret. `token` is special-cased below so that counts such as
// `max_input_tokens` and `tokenizer` settings stay readable in logs: they are limits, not credentials.
const SECRET_KEY_PARTS = ["secret", "password", "api_key", "apikey", "access_key", "credential", "private_key"];
const TOKEN_PART = /token(?!s|iz|_count|_limit)/;

/** Whether a JSON key names a secret (case-insensitive; `-` and `_` are treated alike). */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/-/g, "_");
  if (SECRET_KEYS.has(k)) return true;
  if (SECRET_KEY_PARTS.some((part) => k.includes(part))) return true;
  return TOKEN_PART.test(k);
}

/**
 * A deep copy of a JSON-like value with every value under a secret key replaced by {@link REDACTED} (whole
 * objects too, e.g. `secret_parameters`) and every string passed through {@link redact}.
 */
export function redactValue(value: unknown): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === "object") {
    // fromEntries defines own properties: a `__proto__` key in a response stays a key (and is redacted as one).
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, isSecretKey(k) ? REDACTED : redactValue(v)]),
    );
  }
  return value;
}

/** `JSON.stringify` of {@link redactValue}, cut to `maxLength` characters for one-line logs. */
export function redactJson(value: unknown, maxLength = 2000): string {
  const text = JSON.stringify(redactValue(value)) ?? "";
  return text.length > maxLength ? `${text.slice(0, maxLength)}…(${text.length - maxLength} more chars)` : text;
}

/** A URL for display: credentials embedded in it (`https://user:pass@host`) are replaced. Works on unparseable text. */
export function safeUrl(raw: string): string {
  // Greedy up to the last `@` before the path: a password may itself contain `@`.
  return redact(raw.replace(/\/\/[^/?#]*@/, `//${REDACTED}@`));
}
