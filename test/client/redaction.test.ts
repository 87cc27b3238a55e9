/**
 * Canaries: a secret the run registered is redacted from logs and errors in every form a server may echo it in.
 * The emulator quotes back the values of settings it does not know, and its injected faults carry any reason: each
 * form of the secret goes through both, and must reach neither the verbose log nor any part of the error.
 */
import {
  clearSecretValues,
  ElasticsearchClient,
  ElasticsearchError,
  MIN_SECRET_LENGTH,
  redact,
  redactValue,
  registerSecretValue,
  REDACTED,
} from "../../lib/client";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { rejection } from "./rejection";

// Characters that the encodings write differently: '/', '+', ' ', '"', '\\', '!', '*', '(', ')', a non-ASCII letter,
// a '>' that puts a '+' into its base64 (a '-' in base64url) and a length that needs base64 padding.
const SECRET = 'sk-CANARY/+ "é"!*(x)~\\7q?>Z';
const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const rfc3986 = (text: string) =>
  [...Buffer.from(text, "utf8")]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");

/** Every form, written out independently of the redactor's own list. */
const FORMS: [string, string][] = [
  ["as it is", SECRET],
  ["JSON-escaped", JSON.stringify(SECRET).slice(1, -1)],
  ["encodeURIComponent", encodeURIComponent(SECRET)],
  ["percent-encoded (RFC 3986)", rfc3986(SECRET)],
  ["percent-encoded with lower-case hex", rfc3986(SECRET).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())],
  ["form-encoded", new URLSearchParams({ v: SECRET }).toString().slice(2)],
  ["base64", base64(SECRET)],
  ["base64 without padding", base64(SECRET).replace(/=+$/, "")],
  ["base64url", base64url(SECRET)],
  ["base64 of user:secret (Basic credentials)", base64(`elastic:${SECRET}`)],
  ["base64 of a JSON document holding it", base64(JSON.stringify({ api_key: SECRET }))],
  ["base64url of a JSON document holding it", base64url(JSON.stringify({ key: SECRET, n: 1 }))],
];

/** The parts of `form` that would give the secret away: the whole form minus what its surroundings contribute. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [name, form] of FORMS) {
    // For encodings of a longer text, the middle of the form is the secret's own part.
    const probe = name.includes("of ") ? form.slice(8, -8) : form;
    if (text.includes(probe)) found.push(name);
  }
  return found;
}

let em: Emulator;
const clients: ElasticsearchClient[] = [];

beforeAll(async () => {
  em = await startEmulator();
});
afterAll(() => em.stop());
beforeEach(() => {
  em.reset();
  registerSecretValue(SECRET); // as the engine does for every secret it resolves
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  clearSecretValues();
});

function client(logs: string[]): ElasticsearchClient {
  const c = new ElasticsearchClient({ nodes: [em.url], maxRetries: 0, verbose: (line) => logs.push(line) });
  clients.push(c);
  return c;
}

const everything = (e: ElasticsearchError, logs: string[]) =>
  [...logs, e.message, e.reason, JSON.stringify(e.body), JSON.stringify(e.rootCause), String(e.stack)].join("\n");

test("the forms are distinct, so each case tests something", () => {
  expect(FORMS.filter(([, form], i) => FORMS.findIndex(([, f]) => f === form) !== i)).toEqual([]);
  for (const [, form] of FORMS.slice(1)) expect(form).not.toContain(SECRET);
});

test.each(FORMS)("echoed %s by the server in an error about an unknown setting", async (_name, form) => {
  const logs: string[] = [];
  const e = await rejection<ElasticsearchError>(
    client(logs).createEndpoint("text_embedding", "e1", {
      service: "openai",
      service_settings: { api_key: "sk-other-key", model_id: "m", weird: form },
    }),
  );
  expect(e).toBeInstanceOf(ElasticsearchError);
  expect(e.status).toBe(400);
  // The server did quote it, and the client replaced it.
  expect(e.reason).toMatch(/^Configuration contains settings \[\{weird=.*\(sensitive\).*\}\] unknown/);
  expect(leaks(everything(e, logs))).toEqual([]);
});

test.each(FORMS)("echoed %s in the reason of a server error", async (_name, form) => {
  em.faults.error({ status: 500, count: 1, reason: `failed to authenticate with [${form}]` });
  const logs: string[] = [];
  const e = await rejection<ElasticsearchError>(client(logs).info());
  expect(e.status).toBe(500);
  expect(e.reason).toContain(REDACTED);
  expect(leaks(everything(e, logs))).toEqual([]);
});

test("short values and their forms are not registered: they would mangle every line", () => {
  clearSecretValues();
  const short = "ab/";
  expect(short.length).toBeLessThan(MIN_SECRET_LENGTH);
  registerSecretValue(short);
  const line = `GET /ab/_doc ${encodeURIComponent(short)} ${base64(short)}`;
  expect(redact(line)).toBe(line);
  // A registered secret's forms shorter than the minimum are left out too: "(x)" must stay readable.
  registerSecretValue("(x)y");
  expect(redact("f(x) = 1")).toBe("f(x) = 1");
});

test.each(["__proto__", "constructor", "toString"])(
  "a response key named %s stays a key, and is redacted as one",
  (key) => {
    const body = JSON.parse(`{"${key}": {"api_key": "${SECRET.replace(/["\\]/g, "\\$&")}", "n": 1}}`);
    const redacted = redactValue(body) as Record<string, unknown>;
    expect(Object.getPrototypeOf(redacted)).toBe(Object.prototype);
    expect(Object.keys(redacted)).toEqual([key]);
    expect(JSON.stringify(redacted)).toBe(`{"${key}":{"api_key":"${REDACTED}","n":1}}`);
  },
);

test("overlapping and nested secrets are replaced as one span, leaving no fragment", () => {
  clearSecretValues();
  registerSecretValue("abcd1234");
  registerSecretValue("xyabcd");
  registerSecretValue("cd12");
  expect(redact("[xyabcd1234] [abcd1234] [xyabcd] [cd12] [abc]")).toBe(
    `[${REDACTED}] [${REDACTED}] [${REDACTED}] [${REDACTED}] [abc]`,
  );
  expect(redact("xyabcd1234xyabcd")).toBe(`${REDACTED}${REDACTED}`); // adjacent, not overlapping
  expect(redact("no secret here")).toBe("no secret here");
});
