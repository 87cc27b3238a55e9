/** Input text must be UTF-8; values shown to a reviewer have invisible and reordering characters escaped. */
import { InputEncodingError, decodeUtf8, displayJson, escapeUnsafe, hasUnsafeCharacters } from "../../lib/model";

describe("decodeUtf8", () => {
  test("a byte-order mark is dropped, the rest kept as is", () => {
    expect(decodeUtf8(Buffer.from('\ufeff{"a":"é"}'), "m.json")).toBe('{"a":"é"}');
  });

  test.each([
    ["a lone continuation byte", [0x7b, 0x80], 1],
    ["an invalid lead byte", [0x61, 0xff, 0x62], 1],
    ["a truncated sequence at the end", [0x61, 0x62, 0xe2, 0x82], 2],
    ["an overlong encoding of '/'", [0x61, 0xc0, 0xaf], 1],
    ["an encoded surrogate", [0xed, 0xa0, 0x80], 0],
    ["Latin-1 text", [...Buffer.from("caf"), 0xe9], 3],
  ])("%s is refused, naming the file and the first bad byte", (_what, bytes, offset) => {
    const decode = () => decodeUtf8(Uint8Array.from(bytes), "manifest m.json");
    expect(decode).toThrow(InputEncodingError);
    expect(decode).toThrow(`manifest m.json is not valid UTF-8 text (first invalid byte at offset ${offset})`);
  });
});

describe("showing values", () => {
  const tricky = "text-embedding-3-small\u202e\u2066evil\u2069\u200b\u0085\u0007";

  test("every invisible or reordering character is escaped, and detected", () => {
    expect(hasUnsafeCharacters(tricky)).toBe(true);
    expect(hasUnsafeCharacters("text-embedding-3-small é 日本")).toBe(false);
    expect(escapeUnsafe(tricky)).toBe("text-embedding-3-small\\u202e\\u2066evil\\u2069\\u200b\\u0085\\u0007");
  });

  test("displayJson escapes what JSON.stringify leaves raw, stays valid JSON and round-trips", () => {
    const shown = displayJson({ model_id: tricky }, 2);
    expect(hasUnsafeCharacters(shown.replace(/\n/g, ""))).toBe(false);
    expect(JSON.parse(shown)).toEqual({ model_id: tricky });
    expect(displayJson({ a: ["x"] }, 2)).toBe('{\n  "a": [\n    "x"\n  ]\n}');
  });
});
