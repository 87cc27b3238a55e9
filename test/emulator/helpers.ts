/** Shared helpers for the emulator tests: start/stop, the official client, raw HTTP, error extraction. */
import { Client, errors } from "@elastic/elasticsearch";
import { MAIN_VERSION } from "../../lib/catalogue";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../lib/emulator";
import { minimalRequest } from "../helpers/minimal";

/** Versions whose behavior must work (8.18.x, 8.19.x, 9.0.x, 9.1.x, 9.2.x and main). */
export const VERSIONS = ["8.18.0", "8.19.0", "9.0.0", "9.1.0", "9.2.0", MAIN_VERSION] as const;
export type Version = (typeof VERSIONS)[number];

/** A model "uploaded with Eland" to the emulators of `useEmulatorPerVersion`, for in-cluster endpoints to name. */
export const ELAND_MODEL = "my-model";

/** One emulator per version for the test file (started in beforeAll, stopped in afterAll); returns the lookup. */
export function useEmulatorPerVersion(): (version: Version) => Emulator {
  const emulators = new Map<Version, Emulator>();
  beforeAll(async () => {
    for (const v of VERSIONS) emulators.set(v, await startEmulator({ esVersion: v, trainedModels: [ELAND_MODEL] }));
  });
  afterAll(async () => {
    for (const em of emulators.values()) await em.stop();
  });
  return (version) => emulators.get(version)!;
}

/** The official client against an emulator; no retries so faults are observed as they are. */
export function clientFor(em: Emulator, options: Partial<ConstructorParameters<typeof Client>[0]> = {}): Client {
  return new Client({ node: em.url, maxRetries: 0, ...options } as ConstructorParameters<typeof Client>[0]);
}

/** Starts an emulator per test file (beforeAll/afterAll) and resets it before each test. */
export function useEmulator(options: EmulatorOptions = {}): { em: () => Emulator; client: () => Client } {
  let em: Emulator | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    em = await startEmulator(options);
    client = clientFor(em);
  });
  beforeEach(() => em!.reset());
  afterAll(async () => {
    await client?.close();
    await em?.stop();
  });
  return { em: () => em!, client: () => client! };
}

export interface ErrorInfo {
  readonly status: number;
  readonly type: string;
  readonly reason: string;
  readonly body: any;
}

/** Awaits a client call that must fail with an Elasticsearch error; returns status, type and reason. */
export async function esError(call: Promise<unknown>): Promise<ErrorInfo> {
  try {
    await call;
  } catch (e) {
    if (e instanceof errors.ResponseError) {
      const body = e.body as any;
      return {
        status: e.meta.statusCode ?? 0,
        type: typeof body?.error === "object" ? body.error.type : "",
        reason: typeof body?.error === "object" ? body.error.reason : String(body?.error),
        body,
      };
    }
    throw e;
  }
  throw new Error("expected the call to fail");
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: any;
}

/** A plain HTTP request (JSON body unless a string is given). */
export async function raw(
  em: Emulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  const res = await fetch(em.url + path, init);
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Error info of a raw response. */
export function errorOf(r: RawResponse): { status: number; type: string; reason: string } {
  return { status: r.status, type: r.json?.error?.type, reason: r.json?.error?.reason };
}

export const openaiEmbedding = (extra: Record<string, unknown> = {}) => ({
  service: "openai",
  service_settings: { api_key: "sk-test", model_id: "text-embedding-3-small", ...extra },
});

/** What secret values in request bodies built by `literal` start with, to look for leaks. */
export const CANARY = "canary-7f3a";

/** A catalogue declaration as a request body: secret references (`{env}`, `{file}`) become literal canary values. */
export function literal(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => literal(v));
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === "env" || keys[0] === "file"))
      return key === "service_account_json" ? JSON.stringify({ private_key: `${CANARY}-${key}` }) : `${CANARY}-${key}`;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, literal(v, k)]));
  }
  return value;
}

/** The smallest valid create request of a service and task type, with literal (canary) secrets. */
export function requestFor(service: string, taskType: string): { id: string; body: Record<string, unknown> } {
  const { inference_id, ...body } = minimalRequest(service, taskType as never) as Record<string, unknown>;
  return { id: inference_id as string, body: literal(body) as Record<string, unknown> };
}

export { startEmulator, MAIN_VERSION };
