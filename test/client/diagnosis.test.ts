/**
 * Connection and HTTP errors say what is wrong and what to do, naming the URL and the setting or variable it came
 * from, the credential to check or the privilege to grant; the request and the raw codes follow, never first.
 * Table-driven against the emulator (behind an HTTPS front made with generated certificates, and with API-key
 * authentication), against servers with wrong certificates, and against closed ports.
 */
import * as fs from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { EsinferError } from "../../lib/errors";
import {
  certificateFingerprint,
  ConnectionError,
  ElasticsearchClient,
  ElasticsearchError,
  RequestTimeoutError,
  RetryBudgetExceededError,
  privilegeFor,
  type ConnectionOptions,
} from "../../lib/client";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { Certificates, forwardTo, hasOpenssl, startHttps, type HttpsServer } from "./certificates";
import { X509Certificate } from "node:crypto";
import { rejection } from "./rejection";

const API_KEY = "diagnosis-api-key-CANARY-31";
const STATE_INDEX = ".esinfer-state";

let em: Emulator; // requires API_KEY
let closedPort: string;
let certs: Certificates | undefined;
const servers: Record<string, HttpsServer> = {};
const clients: ElasticsearchClient[] = [];

/** A port that was free a moment ago: nothing listens there. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  em = await startEmulator({ apiKey: API_KEY });
  closedPort = `http://127.0.0.1:${await freePort()}`;
  if (!hasOpenssl()) return;
  certs = new Certificates(fs.mkdtempSync(path.join(os.tmpdir(), "esinfer-diagnosis-")))
    .ca("ca")
    .ca("other-ca", "/CN=another CA")
    .leaf("leaf", "ca", "DNS:localhost,IP:127.0.0.1")
    .leaf("wrong-host", "ca", "DNS:search.example.com")
    .selfSigned("self", "DNS:localhost,IP:127.0.0.1");
  const serve = (name: string, chain: string[]) =>
    startHttps(
      { key: certs!.read(`${name}.key`), cert: Buffer.concat(chain.map((c) => certs!.read(c))) },
      forwardTo(em.url),
    );
  servers.tls = await serve("leaf", ["leaf.crt", "ca.crt"]);
  servers.wrongHost = await serve("wrong-host", ["wrong-host.crt", "ca.crt"]);
  servers.selfSigned = await serve("self", ["self.crt"]);
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await em.stop();
  if (certs) fs.rmSync(certs.dir, { recursive: true, force: true });
});

beforeEach(() => em.reset());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(options: ConnectionOptions): ElasticsearchClient {
  const c = new ElasticsearchClient({ maxRetries: 0, sleep: async () => undefined, ...options });
  clients.push(c);
  return c;
}

const fromEnv = (url: string) => ({ nodes: [url], sources: { nodes: "ELASTICSEARCH_URL" } });
const withKey = (url: string, key = API_KEY) => ({
  ...fromEnv(url),
  auth: { apiKey: key },
  sources: { nodes: "ELASTICSEARCH_URL", auth: "ELASTICSEARCH_API_KEY" },
});

interface Case {
  readonly name: string;
  /** Whether the case needs the generated certificates. */
  readonly tls?: boolean;
  readonly options: () => ConnectionOptions;
  readonly request?: (c: ElasticsearchClient) => Promise<unknown>;
  readonly before?: () => void;
  readonly type: new (...args: never[]) => EsinferError;
  readonly code: string;
  /** The message, up to the request in parentheses. */
  readonly lead: RegExp;
  /** The request and raw codes at its end. */
  readonly detail: RegExp;
}

const cases: Case[] = [
  {
    name: "a closed port: the URL, where it came from, what to check",
    options: () => fromEnv(closedPort),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^nothing accepts connections at http:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\): check that Elasticsearch runs there and that the URL's host and port are right$/,
    detail: /^GET \/: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
  },
  {
    name: "a host name that does not resolve",
    options: () => ({
      nodes: ["http://no-such-host.invalid:9200"],
      sources: { nodes: "cluster.url of manifest stack.json" },
    }),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^the host name no-such-host\.invalid of http:\/\/no-such-host\.invalid:9200 \(from cluster\.url of manifest stack\.json\) cannot be resolved: check the URL's host name/,
    detail: /^GET \/: getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid$/,
  },
  {
    name: "https:// to a cluster that serves plain HTTP",
    options: () => withKey(em.url.replace("http:", "https:")),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^https:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) does not answer with TLS although the URL starts with https:\/\/: if the cluster serves plain HTTP, use http:\/\/127\.0\.0\.1:\d+$/,
    detail: /^GET \/: (ERR_SSL_WRONG_VERSION_NUMBER|EPROTO) /,
  },
  {
    name: "http:// to a cluster that serves HTTPS",
    tls: true,
    options: () => withKey(servers.tls!.url.replace("https:", "http:")),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^the connection to http:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) broke before the response arrived .*; if the cluster serves HTTPS, the URL must start with https:\/\/$/,
    detail: /^GET \/: /,
  },
  {
    name: "a certificate signed by a CA this machine does not trust",
    tls: true,
    options: () => withKey(servers.tls!.url),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^the TLS certificate of https:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) is signed by a CA this machine does not trust: set caFile \(ELASTICSEARCH_CA_FILE\) to the cluster's CA certificate, .* or caFingerprint \(ELASTICSEARCH_CA_FINGERPRINT\) /,
    detail: /^GET \/: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY) /,
  },
  {
    name: "a self-signed certificate",
    tls: true,
    options: () => withKey(servers.selfSigned!.url),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^the TLS certificate of https:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) is self-signed: set caFile \(ELASTICSEARCH_CA_FILE\)/,
    detail: /^GET \/: DEPTH_ZERO_SELF_SIGNED_CERT /,
  },
  {
    name: "a certificate for another host name",
    tls: true,
    options: () => ({ ...withKey(servers.wrongHost!.url), caFile: certs!.file("ca.crt") }),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^the TLS certificate of https:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) is not valid for the host name 127\.0\.0\.1: use a host name the certificate names in the URL, or pin the cluster's certificate with caFingerprint \(ELASTICSEARCH_CA_FINGERPRINT\)$/,
    detail: /^GET \/: ERR_TLS_CERT_ALTNAME_INVALID /,
  },
  {
    name: "a CA file that holds another CA",
    tls: true,
    options: () => ({
      ...withKey(servers.tls!.url),
      caFile: certs!.file("other-ca.crt"),
      sources: { nodes: "ELASTICSEARCH_URL", auth: "ELASTICSEARCH_API_KEY", ca: "ELASTICSEARCH_CA_FILE" },
    }),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^the TLS certificate of https:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) is not signed by the CA certificate of caFile \(from ELASTICSEARCH_CA_FILE\): check that the file holds the cluster's CA$/,
    detail: /^GET \/: \w+ /,
  },
  {
    name: "a pinned fingerprint that matches no certificate of the cluster",
    tls: true,
    options: () => ({
      ...withKey(servers.tls!.url),
      caFingerprint: certificateFingerprint(new X509Certificate(certs!.read("other-ca.crt")).raw),
      sources: { nodes: "the ElasticsearchCluster construct", ca: "ELASTICSEARCH_CA_FINGERPRINT" },
    }),
    type: ConnectionError,
    code: "ESINFER_CONNECTION",
    lead: /^no certificate of https:\/\/127\.0\.0\.1:\d+ \(from the ElasticsearchCluster construct\) matches the pinned CA fingerprint \(from ELASTICSEARCH_CA_FINGERPRINT\): check the fingerprint/,
    detail: /^GET \/: ESINFER_CERT_FINGERPRINT_MISMATCH /,
  },
  {
    name: "a wrong API key, over TLS: the variable it came from",
    tls: true,
    options: () => ({ ...withKey(servers.tls!.url, "not-the-key-0000"), caFile: certs!.file("ca.crt") }),
    type: ElasticsearchError,
    code: "ESINFER_CLIENT",
    lead: /^https:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) refused the credentials from ELASTICSEARCH_API_KEY: check that the API key is the encoded key .*; the server said: unable to authenticate with provided credentials/,
    detail: /^GET \/: 401 security_exception$/,
  },
  {
    name: "no credentials where the cluster requires them",
    options: () => fromEnv(em.url),
    type: ElasticsearchError,
    code: "ESINFER_CLIENT",
    lead: /^http:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) requires credentials and none are set: set an API key \(ELASTICSEARCH_API_KEY, or api_key \/ auth\.apiKey of the cluster\)/,
    detail: /^GET \/: 401 security_exception$/,
  },
  {
    name: "a wrong password: the user name and password to check",
    options: () => ({
      nodes: [em.url],
      auth: { username: "elastic", password: "wrong-password-1" },
      sources: { nodes: "cluster.url of manifest stack.json", auth: "cluster.password of manifest stack.json" },
    }),
    type: ElasticsearchError,
    code: "ESINFER_CLIENT",
    lead: /^http:\/\/127\.0\.0\.1:\d+ \(from cluster\.url of manifest stack\.json\) refused the credentials from cluster\.password of manifest stack\.json: check the user name and password/,
    detail: /^GET \/: 401 security_exception$/,
  },
  {
    name: "a key without the inference privilege: manage_inference",
    options: () => withKey(em.url),
    before: () =>
      em.faults.error({
        path: "/_inference/*",
        status: 403,
        type: "security_exception",
        reason: "action [cluster:admin/xpack/inference/get] is unauthorized for API key id [k1] of user [ci]",
      }),
    request: (c) => c.listEndpoints(),
    type: ElasticsearchError,
    code: "ESINFER_CLIENT",
    lead: /^the credentials from ELASTICSEARCH_API_KEY lack a privilege at http:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\): grant the cluster privilege manage_inference, which the inference API needs; the server said: action \[cluster:admin\/xpack\/inference\/get\] is unauthorized/,
    detail: /^GET \/_inference\/_all: 403 security_exception$/,
  },
  {
    name: "a key that cannot write esinfer's state: the index privileges",
    options: () => withKey(em.url),
    before: () =>
      em.faults.error({
        method: "PUT",
        status: 403,
        type: "security_exception",
        reason: `action [indices:data/write/index] is unauthorized for API key id [k1] on indices [${STATE_INDEX}]`,
      }),
    request: (c) => c.putDocument(STATE_INDEX, "state:prod", { serial: 1 }),
    type: ElasticsearchError,
    code: "ESINFER_CLIENT",
    lead: new RegExp(
      `^the credentials from ELASTICSEARCH_API_KEY lack a privilege at .*: grant the index privileges read, write and create_index on \\${STATE_INDEX} `,
    ),
    detail: new RegExp(`^PUT /\\${STATE_INDEX}/_doc/state%3Aprod: 403 security_exception$`),
  },
  {
    name: "a provider refusing the endpoint's own key: the server's reason first, no cluster advice",
    options: () => withKey(em.url),
    before: () =>
      em.faults.error({
        method: "POST",
        status: 401,
        type: "status_exception",
        reason: "Received an authentication error status code for request from inference entity id [e] status [401]",
      }),
    request: (c) => c.infer("text_embedding", "e", { input: "x" }),
    type: ElasticsearchError,
    code: "ESINFER_CLIENT",
    lead: /^Received an authentication error status code for request from inference entity id \[e\] status \[401\]$/,
    detail: /^POST \/_inference\/text_embedding\/e: 401 status_exception$/,
  },
  {
    name: "no answer in time: the timeout and the setting that raises it",
    options: () => ({ ...withKey(em.url), requestTimeoutMs: 150 }),
    before: () => em.faults.latency({ ms: 60_000, count: 1 }),
    type: RequestTimeoutError,
    code: "ESINFER_CLIENT",
    lead: /^http:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\) did not answer within 150 ms \(the request may have been processed\): .* requestTimeoutMs \(request_timeout_ms of a manifest's cluster\)$/,
    detail: /^GET \/$/,
  },
];

const runnable = cases.filter((c) => !c.tls || hasOpenssl());

test.each(runnable.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
  c.before?.();
  const e = await rejection<EsinferError>((c.request ?? ((cl: ElasticsearchClient) => cl.info()))(client(c.options())));
  expect(e).toBeInstanceOf(c.type);
  expect(e).toBeInstanceOf(EsinferError);
  expect({ code: e.code, exitCode: e.exitCode }).toEqual({ code: c.code, exitCode: 1 });
  const { summary, detail } = e as unknown as { summary: string; detail: string };
  expect(summary).toMatch(c.lead);
  expect(detail).toMatch(c.detail);
  expect(e.message).toBe(`${summary} (${detail})`);
  // Never the request first, never a credential.
  expect(e.message).not.toMatch(/^(GET|PUT|POST|DELETE|HEAD) /);
  expect(e.message).not.toContain(API_KEY);
});

test("retries that run out keep the advice first, then say how long they tried", async () => {
  const e = (await rejection<EsinferError>(
    client({ ...fromEnv(closedPort), maxRetries: 2 }).info(),
  )) as RetryBudgetExceededError;
  expect(e).toBeInstanceOf(RetryBudgetExceededError);
  expect(e.message).toMatch(
    /^nothing accepts connections at http:\/\/127\.0\.0\.1:\d+ \(from ELASTICSEARCH_URL\): check that .*; gave up after 3 attempts in \d+ ms \(GET \/: connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/,
  );
});

test("sources default to the options' own names", async () => {
  const e = await rejection<EsinferError>(client({ nodes: [closedPort] }).info());
  expect(e.message).toMatch(/ \(from the nodes option\): /);
  const denied = await rejection<EsinferError>(
    client({ nodes: [em.url], auth: { bearerToken: "expired-token-0000" } }).info(),
  );
  expect(denied.message).toMatch(/refused the credentials from the auth option: check the token: it may have expired/);
});

test.each([
  ["GET", "/_inference/_all", "the cluster privilege manage_inference"],
  ["PUT", "/_inference/rerank/r/_update", "the cluster privilege manage_inference"],
  ["POST", "/_inference/rerank/r", "the cluster privilege monitor_inference (or manage_inference)"],
  ["GET", "/", "the cluster privilege monitor"],
  ["GET", "/.esinfer-state/_doc/state%3Ax", "the index privilege read on .esinfer-state"],
  ["POST", "/.esinfer-state/_mget", "the index privilege read on .esinfer-state"],
  ["POST", "/.esinfer-state/_bulk?refresh=true", "the index privileges read, write and create_index on .esinfer-state"],
  ["DELETE", "/.esinfer-state/_doc/lock%3Ax", "the index privileges read, write and create_index on .esinfer-state"],
  ["GET", "/docs,books/_mapping", "the index privilege view_index_metadata on docs,books"],
])("%s %s needs %s", (method, requestPath, privilege) => {
  expect(privilegeFor(method, requestPath)).toMatch(new RegExp(`^${privilege.replace(/[().]/g, "\\$&")}`));
});
