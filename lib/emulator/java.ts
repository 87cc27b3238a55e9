/**
 * Java's string renderings, as they leak into Elasticsearch error texts: `Map.toString` (`{k=v, k2=v2}`),
 * `Set.toString` / `List.toString` (`[a, b]`) and `Double.toString` (`20.0`, `1.0E7`).
 *
 * Elasticsearch parses request bodies into `HashMap`s and collects ids into `HashSet`s, so the order of keys in
 * those messages is the hash-bucket order, not the request order. We reproduce it: `String.hashCode`, the
 * `HashMap.hash` spread, the table size the map had grown to, and insertion order within a bucket.
 */

/** Java's `String.hashCode` (UTF-16 code units, 32-bit overflow). */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Table size of a `new HashMap<>()` / `new HashSet<>()` after `count` insertions (load factor 0.75). */
export function growTableSize(count: number): number {
  let capacity = 16;
  while (count > capacity * 0.75) capacity *= 2;
  return capacity;
}

/** Table size of a `new HashMap<>(otherMap)` copy of `count` entries (JDK 19+ sizing: ceil(count / 0.75)). */
export function copyTableSize(count: number): number {
  const wanted = Math.max(1, Math.ceil(count / 0.75));
  let capacity = 1;
  while (capacity < wanted) capacity *= 2;
  return capacity;
}

/** Keys in the order a Java hash table of `tableSize` buckets iterates them (`keys` in insertion order). */
export function javaHashOrder(keys: readonly string[], tableSize: number = growTableSize(keys.length)): string[] {
  const bucket = (k: string) => {
    const h = javaStringHash(k);
    return (h ^ (h >>> 16)) & (tableSize - 1);
  };
  return keys
    .map((key, index) => ({ key, index, bucket: bucket(key) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((e) => e.key);
}

const JAVA_INT_MAX = 2 ** 31 - 1;

/** A JSON number Java parses as an `int`: an integer in [-2^31, 2^31 - 1]. */
export function isJavaInt(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v <= JAVA_INT_MAX && v >= -JAVA_INT_MAX - 1;
}

/**
 * An integer with |v| <= 2^31 - 1: `isJavaInt` except that it also rejects `Integer.MIN_VALUE` (-2^31). The
 * chunking settings' integer checks and `_update`'s `num_allocations` checks have always used this stricter form
 * (a positive or non-negative value is wanted there anyway); kept as is so their answers do not change.
 */
export function isJavaIntExceptMin(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= JAVA_INT_MAX;
}

/** `Double.toString`: `20.0`, `0.5`, `1.0E7`, `1.0E-4`. */
export function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? "NaN" : n > 0 ? "Infinity" : "-Infinity";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split("e");
  const m = mantissa!.includes(".") ? mantissa! : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/**
 * How Java prints a parsed JSON number. JSON integers become `Integer`/`Long` (printed bare); other numbers become
 * `Double`. (A JSON `5.0` reaches us as the integer 5, so it prints as `5` where Java would print `5.0`.)
 */
export function javaNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? String(n) : javaDouble(n);
}

/** `toString()` of a value parsed from JSON by Elasticsearch (maps are `HashMap`s, arrays `ArrayList`s). */
export function javaToString(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number") return javaNumber(value);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(javaToString).join(", ")}]`;
  if (typeof value === "object") return javaMapToString(value as Record<string, unknown>);
  return String(value);
}

/**
 * `HashMap.toString()` of the entries left in a parsed map. `originalSize` is how many keys the map held before
 * the server removed the ones it understood (removal never shrinks the table).
 */
export function javaMapToString(entries: Readonly<Record<string, unknown>>, originalSize?: number): string {
  const keys = Object.keys(entries);
  const order = javaHashOrder(keys, growTableSize(originalSize ?? keys.length));
  return `{${order.map((k) => `${k}=${javaToString(entries[k])}`).join(", ")}}`;
}

/** `HashSet<String>.toString()` of ids added in the given order. */
export function javaSetToString(items: Iterable<string>): string {
  const unique = [...new Set(items)];
  return `[${javaHashOrder(unique).join(", ")}]`;
}

/** Lucene's LevenshteinDistance.getDistance: 1 - edits / longer length. */
function similarity(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  if (x.length === 0 || y.length === 0) return x.length === y.length ? 1 : 0;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return 1 - prev[y.length]! / Math.max(x.length, y.length);
}

/**
 * The names among `candidates` close to `key` (Lucene similarity above 0.5), best first, ties by name: the
 * "did you mean" of the server's parameter and field errors.
 */
export function closeMatches(key: string, candidates: Iterable<string>): string[] {
  return [...new Set(candidates)]
    .map((c) => ({ c, score: similarity(key, c) }))
    .filter((s) => s.score > 0.5)
    .sort((a, b) => b.score - a.score || (a.c < b.c ? -1 : a.c > b.c ? 1 : 0))
    .map((s) => s.c);
}
