/**
 * The plan as its versioned JSON document (docs/plan-json.md): pretty-printed with a stable key order, so the same
 * plan always gives the same text (diffable, hashable, reviewable).
 *
 * Order: the documented fields in schema order; fields this renderer does not know yet (added within 1.x) after
 * them, sorted; free-form values (settings, field values, fingerprints) with keys sorted at every depth. Arrays
 * keep their order. Changes flagged `sensitive` carry `(sensitive)` whatever value they were given, and the
 * cluster URL never carries credentials.
 */
import type { Plan } from "../plan-types";
import { SENSITIVE, safeUrl } from "./human";
import { displayJson } from "../../model/text";

/**
 * A key order for an object (applied to every element of an array), and the orders of its fields' values.
 * `array` marks a field holding a list of such objects (for `documentedFields` only).
 */
type Order = {
  readonly keys: readonly string[];
  readonly nested?: Readonly<Record<string, Order>>;
  readonly array?: boolean;
};

const FREE: Order = { keys: [] };

const CHANGE: Order = {
  keys: ["path", "before", "after", "sensitive", "reference", "forces_replace"],
  array: true,
};

const DECLARED: Order = {
  keys: ["inference_id", "task_type", "service", "service_settings", "task_settings", "chunking_settings"],
};

const ENDPOINT: Order = {
  keys: [
    "inference_id",
    "action",
    "task_type",
    "service",
    "reasons",
    "changes",
    "references",
    "warnings",
    "declared",
    "secret_fingerprints",
  ],
  array: true,
  nested: {
    changes: CHANGE,
    references: { keys: ["pipelines", "indexes"] },
    declared: DECLARED,
  },
};

const PLAN: Order = {
  keys: [
    "format_version",
    "esinfer_version",
    "created_at",
    "stack",
    "cluster",
    "summary",
    "endpoints",
    "warnings",
    "basis",
    "scope",
  ],
  nested: {
    cluster: { keys: ["url", "version", "serverless", "cluster_uuid", "cluster_name"] },
    summary: { keys: ["create", "update", "replace", "delete", "no-op"] },
    endpoints: ENDPOINT,
    basis: { keys: ["live_digest", "state_lineage", "state_serial"] },
    scope: { keys: ["only", "except"] },
  },
};

export function renderJson(plan: Plan): string {
  // displayJson: bidirectional and zero-width characters escaped too, so the document shows what is applied.
  return displayJson(ordered(redactSensitive(plan), PLAN), 2) + "\n";
}

/**
 * Every field of the schema this renderer knows, as paths in schema order (`cluster.url`,
 * `endpoints[].changes[].path`; a list of objects as `endpoints`, its fields as `endpoints[].action`): what docs/plan-json.md must document (a test holds it to that).
 */
export function documentedFields(order: Order = PLAN, prefix = ""): string[] {
  return order.keys.flatMap((key) => {
    const nested = order.nested?.[key];
    const path = `${prefix}${key}`;
    return nested ? [path, ...documentedFields(nested, `${path}${nested.array ? "[]" : ""}.`)] : [path];
  });
}

/** The plan as a plain value with the stable key order (what `renderJson` prints, before `JSON.stringify`). */
export function planDocument(plan: Plan): unknown {
  return ordered(redactSensitive(plan), PLAN);
}

/** Secrets never leave as values: sensitive changes say `(sensitive)`, the cluster URL loses any credentials. */
function redactSensitive(plan: Plan): Plan {
  return {
    ...plan,
    ...(plan.cluster && typeof plan.cluster.url === "string"
      ? { cluster: { ...plan.cluster, url: safeUrl(plan.cluster.url) } }
      : {}),
    endpoints: (plan.endpoints ?? []).map((e) => ({
      ...e,
      changes: (e.changes ?? []).map((c) =>
        c.sensitive
          ? {
              ...c,
              ...(c.before !== undefined ? { before: SENSITIVE } : {}),
              ...(c.after !== undefined ? { after: SENSITIVE } : {}),
            }
          : c,
      ),
    })),
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function ordered(value: unknown, order: Order): unknown {
  if (Array.isArray(value)) return value.map((v) => ordered(v, order));
  if (!isPlainObject(value)) return value; // primitives, and objects with toJSON (a literal secret prints redacted)
  const known = order.keys.filter((k) => k in value);
  const rest = Object.keys(value)
    .filter((k) => !order.keys.includes(k))
    .sort();
  const out: Record<string, unknown> = {};
  for (const k of [...known, ...rest]) out[k] = ordered(value[k], order.nested?.[k] ?? FREE);
  return out;
}
