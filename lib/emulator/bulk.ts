/**
 * `_bulk` as RestBulkAction and BulkRequestParser read it, and TransportBulkAction runs it: NDJSON action lines
 * (`index`, `create`, `delete`) each followed by a source line (not for `delete`), parsed with the server's error
 * texts; the request validated as a whole (`BulkRequest.validate`); then every item executed on its own, a failure
 * answering in its item (`BulkItemResponse`: `{_index, _id, status, error}`) and `errors: true`, never stopping
 * the others. `update` items are not implemented by the emulator and fail with a clear error.
 */
import { actionRequestValidation, EsError, illegalArgument } from "./errors";
import { casErrors, deleteDocument, writeDocument, type WriteOutcome } from "./documents";
import { isPlainObject } from "./json";
import type { Store } from "./store";
import type { Behavior } from "./versions";

type Action = "index" | "create" | "delete" | "update";

interface BulkItem {
  readonly action: Action;
  readonly index: string | undefined;
  readonly id: string | undefined;
  readonly opType?: string;
  readonly ifSeqNo?: number;
  readonly ifPrimaryTerm?: number;
  /** The parsed source line, or the parse failure to answer in the item. */
  readonly source?: { readonly value: unknown } | { readonly error: EsError };
}

const ACTIONS: readonly string[] = ["create", "delete", "index", "update"];

/** Action-line parameters the server knows but the emulator does not implement: refused loudly. */
const UNIMPLEMENTED = [
  "version",
  "version_type",
  "pipeline",
  "require_alias",
  "require_data_stream",
  "dynamic_templates",
  "list_executed_pipelines",
  "retry_on_conflict",
  "_source",
];

function tokenOf(value: unknown): string {
  if (Array.isArray(value)) return "START_ARRAY";
  if (isPlainObject(value)) return "START_OBJECT";
  if (typeof value === "string") return "VALUE_STRING";
  if (typeof value === "number") return "VALUE_NUMBER";
  if (typeof value === "boolean") return "VALUE_BOOLEAN";
  return "VALUE_NULL";
}

function parseJsonLine(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EsError(400, "x_content_parse_exception", `[${line}:1] ${(e as Error).message}`);
  }
}

function integerParam(value: unknown, line: number, name: string): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  throw illegalArgument(`Action/metadata line [${line}]: [${name}] must be a number, got [${String(value)}]`);
}

/** `BulkRequestParser.parse`: the items, or the request-level error. */
export function parseBulk(raw: string, defaultIndex: string | undefined): BulkItem[] {
  if (raw.length > 0 && !raw.endsWith("\n"))
    throw illegalArgument("The bulk request must be terminated by a newline [\\n]");
  const lines = raw.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  lines.pop(); // the text after the final newline
  const items: BulkItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i]!.trim() === "") continue;
    const meta = parseJsonLine(lines[i]!, line);
    if (!isPlainObject(meta))
      throw illegalArgument(
        `Malformed action/metadata line [${line}], expected START_OBJECT but found [${tokenOf(meta)}]`,
      );
    const keys = Object.keys(meta);
    if (keys.length === 0)
      throw illegalArgument(`Malformed action/metadata line [${line}], expected FIELD_NAME but found [END_OBJECT]`);
    const action = keys[0]!;
    if (!ACTIONS.includes(action))
      throw illegalArgument(
        `Malformed action/metadata line [${line}], expected field [create], [delete], [index] or [update] but found [${action}]`,
      );
    const params = meta[action];
    if (!isPlainObject(params) && params !== null)
      throw illegalArgument(
        `Malformed action/metadata line [${line}], expected START_OBJECT or END_OBJECT but found [${tokenOf(params)}]`,
      );
    if (keys.length > 1)
      throw illegalArgument(`Malformed action/metadata line [${line}], expected END_OBJECT but found [FIELD_NAME]`);
    const item: { -readonly [K in keyof BulkItem]: BulkItem[K] } = {
      action: action as Action,
      index: defaultIndex,
      id: undefined,
    };
    for (const [name, value] of Object.entries(params ?? {})) {
      if (Array.isArray(value))
        throw illegalArgument(
          `Malformed action/metadata line [${line}], expected a simple value for field [${name}] but found [START_ARRAY]`,
        );
      if (name === "_index") item.index = String(value);
      else if (name === "_id") item.id = String(value);
      else if (name === "op_type") item.opType = String(value);
      else if (name === "if_seq_no") item.ifSeqNo = integerParam(value, line, name);
      else if (name === "if_primary_term") item.ifPrimaryTerm = integerParam(value, line, name);
      else if (name === "routing")
        continue; // one shard: routing changes nothing
      else if (UNIMPLEMENTED.includes(name))
        throw illegalArgument(`the esinfer emulator does not implement the bulk parameter [${name}] (line [${line}])`);
      else throw illegalArgument(`Action/metadata line [${line}] contains an unknown parameter [${name}]`);
    }
    if (action !== "delete") {
      i++;
      if (i >= lines.length) break; // an action without its source line is dropped, as the server does
      try {
        item.source = { value: parseJsonLine(lines[i]!, i + 1) };
      } catch (error) {
        item.source = { error: error as EsError };
      }
    }
    items.push(item);
  }
  return items;
}

/** `BulkRequest.validate`: every item's request validation, then "no requests added". */
function validateBulk(items: readonly BulkItem[]): void {
  const errors: string[] = [];
  if (items.length === 0) errors.push("no requests added");
  for (const item of items) {
    if (item.index === undefined) errors.push("index is missing");
    if (item.action === "delete" && item.id === undefined) errors.push("id is missing");
    if (item.action === "index" && item.opType !== undefined && item.opType !== "index" && item.opType !== "create")
      errors.push(`opType must be 'create' or 'index', found: [${item.opType}]`);
    const create = item.action === "create" || (item.action === "index" && item.opType === "create");
    errors.push(
      ...casErrors({
        opType: create ? "create" : item.action === "delete" ? "delete" : "index",
        ifSeqNo: item.ifSeqNo,
        ifPrimaryTerm: item.ifPrimaryTerm,
      }),
    );
  }
  if (errors.length > 0) throw actionRequestValidation(errors);
}

/** An auto-generated document id (what a bulk `index`/`create` without `_id` gets). */
export type IdGenerator = () => string;

/** Executes a parsed bulk request: the `BulkResponse` body (`errors`, `took`, `items`). */
export function executeBulk(
  store: Store,
  behavior: Behavior,
  items: readonly BulkItem[],
  refresh: boolean,
  newId: IdGenerator,
): Record<string, unknown> {
  validateBulk(items);
  const started = performance.now();
  const results = items.map((item) => {
    const index = item.index!;
    const id = item.id ?? (item.action === "delete" ? "" : newId());
    const opName = item.action === "index" && item.opType === "create" ? "create" : item.action;
    let outcome: WriteOutcome;
    try {
      if (item.action === "update")
        throw illegalArgument("the esinfer emulator does not implement bulk update actions (use index)");
      if (item.action === "delete")
        outcome = deleteDocument(store, index, id, {
          ifSeqNo: item.ifSeqNo,
          ifPrimaryTerm: item.ifPrimaryTerm,
          refresh,
        });
      else {
        if (item.source && "error" in item.source) throw item.source.error;
        outcome = writeDocument(store, behavior, index, id, item.source!.value, {
          opType: opName === "create" ? "create" : "index",
          ifSeqNo: item.ifSeqNo,
          ifPrimaryTerm: item.ifPrimaryTerm,
          refresh,
        });
      }
    } catch (error) {
      if (!(error instanceof EsError)) throw error;
      return { [opName]: { _index: index, _id: id, status: error.status, error: error.exception() }, failed: true };
    }
    return { [opName]: { ...outcome.body, status: outcome.status }, failed: false };
  });
  store.save();
  return {
    errors: results.some((r) => r.failed),
    took: Math.round(performance.now() - started),
    items: results.map(({ failed: _, ...item }) => item),
  };
}
