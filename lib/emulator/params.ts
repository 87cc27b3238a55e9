/** Query-parameter parsing with the REST layer's error texts. */
import { EsError, illegalArgument, msg } from "./errors";

/** `RestRequest.paramAsBoolean`: absent → undefined, `""`/`true` → true, `false` → false, else 400. */
export function boolParam(query: Readonly<Record<string, string>>, name: string): boolean | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (v === "" || v === "true") return true;
  if (v === "false") return false;
  throw illegalArgument(msg.booleanParam(v));
}

/** `TimeValue.parseTimeValue` acceptance (value kept as text: the emulator never waits). */
export function timeParam(query: Readonly<Record<string, string>>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (/^(-1|0|\d+(\.\d+)?(nanos|micros|ms|s|m|h|d))$/.test(v.trim())) return v;
  throw new EsError(
    400,
    "parse_exception",
    `failed to parse setting [${name}] with value [${v}] as a time value: unit is missing or unrecognized`,
  );
}

/** A long query parameter (`if_seq_no` and the like). */
export function longParam(query: Readonly<Record<string, string>>, name: string): number | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw illegalArgument(`Failed to parse long parameter [${name}] with value [${v}]`);
  return Number(v);
}
