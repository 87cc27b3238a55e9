/** The emulator's view of one HTTP request and its answer, shared by the router and the API handlers. */
import type { Behavior } from "./versions";
import type { Store } from "./store";

export interface EsRequest {
  /** Upper-case method. */
  readonly method: string;
  /** Path as received, without the query string (percent-encoding kept). */
  readonly path: string;
  /** Path and query as received (what Elasticsearch calls the URI in its messages). */
  readonly uri: string;
  /** Decoded, non-empty path segments. */
  readonly segments: readonly string[];
  readonly query: Readonly<Record<string, string>>;
  /** Whether the request carried a body. */
  readonly hasBody: boolean;
  /** The parsed JSON body (undefined without a body). */
  readonly body: unknown;
  /** The raw body text (for messages that quote it; never logged). */
  readonly rawBody: string;
}

export interface EsResponse {
  readonly status: number;
  /** JSON body; undefined = no body (HEAD, 200 with nothing to say). */
  readonly body?: unknown;
  /** A non-JSON body (server-sent events), with its content type. */
  readonly text?: { readonly contentType: string; readonly data: string };
  readonly headers?: Readonly<Record<string, string | string[]>>;
}

/** What a handler may use. */
export interface HandlerContext {
  readonly req: EsRequest;
  /** Path parameters by name. */
  readonly params: Readonly<Record<string, string>>;
  readonly behavior: Behavior;
  readonly store: Store;
  readonly cluster: ClusterIdentity;
}

export interface ClusterIdentity {
  readonly name: string;
  readonly clusterName: string;
  readonly clusterUuid: string;
}

/**
 * One route. `prepare` does what Elasticsearch's `RestHandler.prepareRequest` does (parse path and body
 * requirements, read parameters); unrecognized query parameters are rejected after it, then `run` executes.
 */
export interface Route<P = unknown> {
  readonly method: string;
  /** Segments: literals, or `{name}` for a parameter. */
  readonly pattern: readonly string[];
  /** Query parameters the handler reads (besides the global ones), for this version. */
  readonly params?: (behavior: Behavior) => readonly string[];
  readonly prepare?: (ctx: HandlerContext) => P;
  readonly run: (ctx: HandlerContext, prepared: P) => EsResponse;
}

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): EsResponse => ({
  status,
  body,
  headers,
});
