/**
 * Routing as Elasticsearch's RestController does it: among the routes whose path matches, literal segments win
 * over parameters (segment by segment); the first candidate with the request's method handles it; otherwise 405
 * (path known, method not) or 400 "no handler found". After the handler's prepare step, query parameters it did
 * not read are rejected with the server's "unrecognized parameter" message (with its "did you mean" hints).
 */
import { EsError, EsPlainError, msg } from "./errors";
import { closeMatches } from "./java";
import type { EsResponse, HandlerContext, Route } from "./http-types";
import { DOCUMENT_ROUTES } from "./api-documents";
import { INDEX_ROUTES } from "./api-indices";
import { INFERENCE_ROUTES } from "./api-inference";
import { PIPELINE_ROUTES } from "./api-pipelines";
import { SERVICES_ROUTES } from "./api-services";
import { ROOT_ROUTES } from "./api-root";

/** Parameters every REST handler accepts (`BaseRestHandler` response params). */
const GLOBAL_PARAMS = ["pretty", "human", "error_trace", "filter_path", "source", "source_content_type"];

export const ROUTES: readonly Route<any>[] = [
  ...ROOT_ROUTES,
  ...INFERENCE_ROUTES,
  ...SERVICES_ROUTES,
  ...INDEX_ROUTES,
  ...DOCUMENT_ROUTES,
  ...PIPELINE_ROUTES,
];

interface Match {
  readonly route: Route<any>;
  readonly params: Record<string, string>;
  /** Literal-ness per segment, for ordering (literals first, left to right). */
  readonly literal: boolean[];
}

function match(route: Route<any>, segments: readonly string[]): Match | undefined {
  if (route.pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = Object.create(null);
  const literal: boolean[] = [];
  for (let i = 0; i < segments.length; i++) {
    const p = route.pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith("{")) {
      // Index-level routes never take `_`-prefixed names (those paths belong to APIs), except `_all`.
      if (p === "{index}" && s.startsWith("_") && s !== "_all") return undefined;
      params[p.slice(1, -1)] = s;
      literal.push(false);
    } else if (p === s) literal.push(true);
    else return undefined;
  }
  return { route, params, literal };
}

function bySpecificity(a: Match, b: Match): number {
  for (let i = 0; i < a.literal.length; i++) if (a.literal[i] !== b.literal[i]) return a.literal[i] ? -1 : 1;
  return 0;
}

/** Dispatches a request to its route. Throws EsError / EsPlainError for the REST-layer rejections. */
export function dispatch(ctx: Omit<HandlerContext, "params">): EsResponse {
  const { req } = ctx;
  const candidates = ROUTES.map((r) => match(r, req.segments))
    .filter((m): m is Match => m !== undefined)
    .sort(bySpecificity);
  const method = req.method === "HEAD" ? ["HEAD", "GET"] : [req.method];
  const chosen =
    candidates.find((c) => c.route.method === req.method) ?? candidates.find((c) => method.includes(c.route.method));
  if (!chosen) {
    if (candidates.length === 0) throw new EsPlainError(400, msg.noHandler(req.uri, req.method));
    const allowed = [...new Set(candidates.map((c) => c.route.method))];
    throw new EsPlainError(405, msg.badMethod(req.uri, req.method, allowed), { Allow: allowed.join(",") });
  }
  const handlerCtx: HandlerContext = { ...ctx, params: chosen.params };
  const prepared = chosen.route.prepare ? chosen.route.prepare(handlerCtx) : undefined;
  checkParams(req.path, req.query, [...Object.keys(chosen.params), ...(chosen.route.params?.(ctx.behavior) ?? [])]);
  return chosen.route.run(handlerCtx, prepared);
}

/** `BaseRestHandler.unrecognized`: rejects unread parameters, suggesting close matches. */
export function checkParams(path: string, query: Readonly<Record<string, string>>, consumed: readonly string[]) {
  const known = new Set([...consumed, ...GLOBAL_PARAMS]);
  const invalid = Object.keys(query)
    .filter((k) => !known.has(k))
    .sort();
  if (invalid.length === 0) return;
  const parts = invalid.map((name) => {
    const scored = closeMatches(name, consumed);
    if (scored.length === 0) return `[${name}]`;
    return scored.length === 1
      ? `[${name}] -> did you mean [${scored[0]}]?`
      : `[${name}] -> did you mean any of [${scored.join(", ")}]?`;
  });
  throw new EsError(
    400,
    "illegal_argument_exception",
    `request [${path}] contains unrecognized parameter${invalid.length > 1 ? "s" : ""}: ${parts.join(", ")}`,
  );
}
