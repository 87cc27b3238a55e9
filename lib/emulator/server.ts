/**
 * The HTTP side: reads a request, applies injected latency, API-key authentication and injected faults, routes
 * it, and answers like Elasticsearch (error envelope, `X-Elastic-Product` on every response, the client's
 * compatible-with media type echoed). Records every request in the log without bodies or header values.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { EsError, EsPlainError, EsRawResponse, msg } from "./errors";
import type { Faults } from "./faults";
import type { ClusterIdentity, EsRequest, EsResponse } from "./http-types";
import type { RequestLog } from "./request-log";
import { dispatch } from "./routes";
import type { Store } from "./store";
import type { Behavior } from "./versions";

export interface ServerDeps {
  readonly behavior: Behavior;
  readonly store: Store;
  readonly faults: Faults;
  readonly log: RequestLog;
  readonly cluster: ClusterIdentity;
  /** When set, every request needs `Authorization: ApiKey <apiKey>`. */
  readonly apiKey?: string;
}

const VENDOR_JSON = /application\/vnd\.elasticsearch\+json\s*;\s*compatible-with\s*=\s*(\d+)/i;

/** The authentication challenge Elasticsearch sends with a 401. */
const WWW_AUTHENTICATE = ['Basic realm="security", charset="UTF-8"', 'Bearer realm="security"', "ApiKey"];

function authError(reason: string): EsError {
  return new EsError(
    401,
    "security_exception",
    reason,
    { header: { "WWW-Authenticate": WWW_AUTHENTICATE } },
    { "WWW-Authenticate": WWW_AUTHENTICATE },
  );
}

/** Checks `Authorization: ApiKey <key>` (scheme case-insensitive). */
function authenticate(req: IncomingMessage, uri: string, apiKey: string | undefined): void {
  if (apiKey === undefined) return;
  const header = req.headers.authorization;
  if (!header) throw authError(msg.missingAuth(uri));
  const [scheme, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== "apikey" || rest.join(" ") !== apiKey) throw authError(msg.badAuth());
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Media types the REST layer parses as JSON (`application/x-ndjson` too: `_bulk` bodies are JSON lines). */
function isJsonContentType(ct: string): boolean {
  return /application\/(json|x-ndjson)/i.test(ct) || /application\/vnd\.elasticsearch\+(json|x-ndjson)/i.test(ct);
}

/**
 * Builds the parsed request from the method and URL `handle` already parsed (throws the REST layer's content-type
 * error). The body is parsed when a handler first reads it, as the server's handlers do: `_bulk` reads the raw
 * lines instead, and a route that does not exist answers "no handler" whatever the body. Query parameters are
 * kept in a null-prototype record, so `?__proto__=x` is an own (and so unrecognized) parameter.
 */
function toEsRequest(req: IncomingMessage, raw: Buffer, method: string, url: URL): EsRequest {
  const path = url.pathname;
  const query: Record<string, string> = Object.create(null);
  for (const [k, v] of url.searchParams) query[k] = v;
  const uri = req.url ?? "/";
  let segments: string[];
  try {
    segments = path
      .split("/")
      .filter((s) => s !== "")
      .map((s) => decodeURIComponent(s));
  } catch {
    throw new EsError(400, "illegal_argument_exception", `unable to decode path [${path}]`);
  }
  const rawBody = raw.toString("utf8");
  const hasBody = raw.length > 0;
  if (hasBody) {
    const ct = req.headers["content-type"];
    // Elasticsearch rejects other media types; a missing Content-Type is accepted as JSON here (leniency).
    if (ct !== undefined && !isJsonContentType(ct))
      throw new EsPlainError(406, `Content-Type header [${ct}] is not supported`);
  }
  let parsed: { value: unknown } | undefined;
  return {
    method,
    path,
    uri,
    segments,
    query,
    hasBody,
    rawBody,
    get body(): unknown {
      if (!hasBody) return undefined;
      if (!parsed) {
        try {
          parsed = { value: JSON.parse(rawBody) };
        } catch (e) {
          throw new EsError(
            400,
            "x_content_parse_exception",
            `[1:1] Failed to parse JSON body: ${(e as Error).message}`,
          );
        }
      }
      return parsed.value;
    },
  };
}

function errorResponse(error: unknown): EsResponse {
  if (error instanceof EsError) return { status: error.status, body: error.body(), headers: error.headers };
  if (error instanceof EsPlainError) return { status: error.status, body: error.body(), headers: error.headers };
  if (error instanceof EsRawResponse) return { status: error.status, body: error.payload };
  // A bug in the emulator: answer like an unexpected server exception.
  const reason = error instanceof Error ? error.message : String(error);
  return errorResponse(new EsError(500, "exception", `emulator error: ${reason}`));
}

function send(req: IncomingMessage, res: ServerResponse, method: string, query: Record<string, string>, r: EsResponse) {
  res.statusCode = r.status;
  res.setHeader("X-Elastic-Product", "Elasticsearch");
  for (const [name, value] of Object.entries(r.headers ?? {})) res.setHeader(name, value);
  if (r.text) {
    res.setHeader("Content-Type", r.text.contentType);
    res.end(method === "HEAD" ? undefined : r.text.data);
    return;
  }
  // Answer in the client's compatible-with media type (the official client sends compatible-with=8 or 9).
  const vendor = VENDOR_JSON.exec(`${req.headers.accept ?? ""} ${req.headers["content-type"] ?? ""}`);
  res.setHeader(
    "Content-Type",
    vendor ? `application/vnd.elasticsearch+json;compatible-with=${vendor[1]}` : "application/json",
  );
  if (r.body === undefined || method === "HEAD") {
    res.setHeader("Content-Length", "0");
    res.end();
    return;
  }
  const pretty = query.pretty !== undefined && query.pretty !== "false";
  res.end(pretty ? `${JSON.stringify(r.body, null, 2)}\n` : JSON.stringify(r.body));
}

/** The request listener of the emulator's HTTP server. */
export function requestListener(deps: ServerDeps) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void handle(deps, req, res);
  };
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const time = new Date().toISOString();
  const seq = deps.log.started();
  const method = (req.method ?? "GET").toUpperCase();
  const url = new URL(req.url ?? "/", "http://emulator.invalid");
  const query = Object.fromEntries(url.searchParams);
  let outcome: "handled" | "fault" | "dropped" = "handled";
  let status = 0;
  const finish = () =>
    deps.log.finished({
      seq,
      method,
      path: url.pathname,
      query,
      time,
      status,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      outcome,
    });
  const drop = () => {
    outcome = "dropped";
    status = 0;
    req.socket.destroy();
  };
  try {
    const raw = await readBody(req);
    const decision = deps.faults.decide(method, url.pathname);
    // Injected latency is the response time the client sees, the emulator's own work included: it stands for the
    // server and its providers, and the emulator's CPU time is not part of what it models.
    const rest = async () => {
      const ms = started + decision.delayMs - performance.now();
      if (ms > 0) await sleep(ms);
    };
    let response: EsResponse;
    try {
      authenticate(req, req.url ?? "/", deps.apiKey);
      if (decision.drop === "before") {
        await rest();
        return drop();
      }
      if (decision.error) {
        outcome = "fault";
        throw decision.error;
      }
      const esRequest = toEsRequest(req, raw, method, url);
      response = dispatch({ req: esRequest, behavior: deps.behavior, store: deps.store, cluster: deps.cluster });
    } catch (error) {
      response = errorResponse(error);
    }
    await rest();
    if (decision.drop === "after") return drop();
    status = response.status;
    send(req, res, method, query, response);
  } catch {
    // The client went away while we read its request.
    outcome = "dropped";
  } finally {
    finish();
  }
}
