/**
 * Text esinfer reads and shows. Input files (manifests, states, secret files, saved plans) must be UTF-8: invalid
 * bytes are refused, naming the file and the byte, instead of being replaced by U+FFFD and sent. Values shown to a
 * reviewer (plans in every format, errors) have control and bidirectional-formatting characters escaped, so what
 * is applied is what is read (CVE-2021-42574, "Trojan Source", is the same trick in source code).
 */
import { EsinferError } from "../errors";

/** A file or stream that is not valid UTF-8 text. */
export class InputEncodingError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_ENCODING" });
  }
}

const BOM = 0xfeff;
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decodes UTF-8 `bytes` read from `what` (e.g. `manifest stack.json`). A leading byte-order mark is accepted and
 * dropped (editors on Windows write one; JSON itself does not allow it). Invalid UTF-8 throws
 * {@link InputEncodingError} with the offset of the first bad byte.
 */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    throw new InputEncodingError(
      `${what} is not valid UTF-8 text (first invalid byte at offset ${firstInvalid(bytes)})`,
    );
  }
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    // Length of the sequence, and the allowed range of its second byte (excludes overlongs and surrogates).
    const [length, lo, hi] =
      b < 0x80
        ? [1, 0, 0]
        : b >= 0xc2 && b <= 0xdf
          ? [2, 0x80, 0xbf]
          : b === 0xe0
            ? [3, 0xa0, 0xbf]
            : b === 0xed
              ? [3, 0x80, 0x9f]
              : b >= 0xe1 && b <= 0xef
                ? [3, 0x80, 0xbf]
                : b === 0xf0
                  ? [4, 0x90, 0xbf]
                  : b >= 0xf1 && b <= 0xf3
                    ? [4, 0x80, 0xbf]
                    : b === 0xf4
                      ? [4, 0x80, 0x8f]
                      : [0, 0, 0];
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += length;
  }
  return i;
}

/**
 * Characters a reviewer cannot see or that reorder what they see: C0 and C1 controls (tab and newline included:
 * a value is shown on one line), bidirectional formatting (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069),
 * zero-width ones (U+200B-U+200D, U+2060, U+FEFF) and the line and paragraph separators (U+2028/9).
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_TEST = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/;

// What JSON.stringify leaves unescaped inside strings (it escapes C0 controls itself; structural newlines of an
// indented document must stay).
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** Whether `text` holds a character {@link escapeUnsafe} would escape. */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE_TEST.test(text);
}

/** `text` with every invisible or reordering character written as a `\uXXXX` escape. */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE, escape);
}

/**
 * A value as JSON for a reviewer: `JSON.stringify`, with the characters JSON leaves as they are (bidirectional and
 * zero-width ones) escaped as well. The result is still valid JSON and parses back to the same value.
 */
export function displayJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space);
  return json === undefined ? "undefined" : json.replace(UNSAFE_IN_JSON, escape);
}
