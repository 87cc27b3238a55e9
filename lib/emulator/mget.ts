/**
 * `_mget` as MultiGetRequest parses it and TransportMultiGetAction answers: `{"ids": [...]}` (with the index from
 * the path) or `{"docs": [{"_index", "_id"}]}`, realtime; each document answered on its own, a missing index as
 * that document's `error` (`MultiGetResponse.Failure`: `{_index, _id, error}`), never as a failure of the request.
 */
import { actionRequestValidation, EsError, illegalArgument } from "./errors";
import { documentView, getIndex } from "./documents";
import { isPlainObject } from "./json";
import type { Store } from "./store";

interface MgetItem {
  readonly index: string | undefined;
  readonly id: string | undefined;
}

const parseError = (reason: string) => new EsError(400, "parse_exception", reason);

function tokenOf(value: unknown): string {
  if (isPlainObject(value)) return "START_OBJECT";
  if (typeof value === "string") return "VALUE_STRING";
  if (typeof value === "number") return "VALUE_NUMBER";
  if (typeof value === "boolean") return "VALUE_BOOLEAN";
  return "VALUE_NULL";
}

function idText(value: unknown): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  throw illegalArgument("ids array element should only contain ids");
}

/** `MultiGetRequest.add(..., parser)`: the documents asked for. */
export function parseMget(body: unknown, defaultIndex: string | undefined): MgetItem[] {
  if (!isPlainObject(body))
    throw parseError(`unexpected token [${tokenOf(body)}], expected [FIELD_NAME] or [START_ARRAY]`);
  const items: MgetItem[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!Array.isArray(value))
      throw parseError(`unexpected token [${tokenOf(value)}], expected [FIELD_NAME] or [START_ARRAY]`);
    if (key === "ids") for (const id of value) items.push({ index: defaultIndex, id: idText(id) });
    else if (key === "docs")
      for (const doc of value) {
        if (!isPlainObject(doc)) throw parseError("docs array element should include an object");
        let index = defaultIndex;
        let id: string | undefined;
        for (const [field, v] of Object.entries(doc)) {
          if (field === "_index") index = String(v);
          else if (field === "_id") id = idText(v);
          else if (field !== "routing") throw parseError(`failed to parse multi get request. unknown field [${field}]`);
        }
        items.push({ index, id });
      }
    else throw parseError(`unknown key [${key}] for a START_ARRAY, expected [docs] or [ids]`);
  }
  const errors: string[] = [];
  if (items.length === 0) errors.push("no documents to get");
  items.forEach((item, i) => {
    if (item.index === undefined) errors.push(`index is missing for doc ${i}`);
    if (item.id === undefined) errors.push(`id is missing for doc ${i}`);
  });
  if (errors.length > 0) throw actionRequestValidation(errors);
  return items;
}

/** The `MultiGetResponse` body: one entry per document, in request order. */
export function executeMget(store: Store, items: readonly MgetItem[], withSource: boolean): Record<string, unknown> {
  return {
    docs: items.map(({ index, id }) => {
      try {
        return documentView(getIndex(store, index!), id!, withSource);
      } catch (error) {
        if (!(error instanceof EsError)) throw error;
        return { _index: index, _id: id, error: error.failure() };
      }
    }),
  };
}
