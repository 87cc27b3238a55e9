/**
 * TLS: CA file, fingerprint pinning (server certificate or CA) and insecure mode against an in-test HTTPS server.
 * Certificates are generated per run with the openssl CLI (skipped where it is missing); no key is checked in.
 */
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  certificateFingerprint,
  ConnectionError,
  ElasticsearchClient,
  FINGERPRINT_MISMATCH,
  verifyPinnedChain,
} from "../../lib/client";
import { Certificates, hasOpenssl, startHttps, type HttpsServer } from "./certificates";

const describeTls = hasOpenssl() ? describe : describe.skip;

describeTls("TLS", () => {
  let certs: Certificates;
  const file = (name: string) => certs.file(name);
  const der = (name: string) => new X509Certificate(certs.read(name)).raw;
  let server: HttpsServer;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    certs = new Certificates(fs.mkdtempSync(path.join(os.tmpdir(), "esinfer-tls-")))
      .ca("ca")
      .leaf("leaf", "ca", "DNS:localhost,IP:127.0.0.1")
      // A forgery: same CA name, different key, and no key identifier linking it to its real signer.
      .ca("fake")
      .leaf("forged", "fake", "DNS:localhost,IP:127.0.0.1", "authorityKeyIdentifier=none\n");
    server = await startHttps(
      { key: certs.read("leaf.key"), cert: Buffer.concat([certs.read("leaf.crt"), certs.read("ca.crt")]) },
      (_req, res) => {
        requests++;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ cluster_name: "tls", cluster_uuid: "u", version: { number: "9.1.0" } }));
      },
    );
    url = server.url;
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  const clients: ElasticsearchClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  const client = (extra: object) => {
    const c = new ElasticsearchClient({ nodes: [url], sleep: async () => undefined, ...extra });
    clients.push(c);
    return c;
  };
  const colons = (hex: string) => hex.toUpperCase().match(/../g)!.join(":");

  it("verifies against caFile", async () => {
    expect((await client({ caFile: file("ca.crt") }).info()).clusterName).toBe("tls");
  });

  it("rejects an unknown CA without retrying", async () => {
    const before = requests;
    const e = (await client({})
      .info()
      .catch((x: unknown) => x)) as ConnectionError;
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.networkCode).toMatch(/CERT|SIGNATURE|ISSUER/);
    expect(requests).toBe(before);
  });

  it("accepts a pinned CA fingerprint (with colons, upper case) and a pinned server certificate", async () => {
    expect((await client({ caFingerprint: colons(certificateFingerprint(der("ca.crt"))) }).info()).clusterName).toBe(
      "tls",
    );
    expect((await client({ caFingerprint: certificateFingerprint(der("leaf.crt")) }).info()).clusterName).toBe("tls");
  });

  it("refuses a wrong fingerprint, without retrying", async () => {
    const before = requests;
    const e = (await client({ caFingerprint: certificateFingerprint(der("fake.crt")) })
      .info()
      .catch((x: unknown) => x)) as ConnectionError;
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.networkCode).toBe(FINGERPRINT_MISMATCH);
    expect(requests).toBe(before);
  });

  it("insecure connects and warns", async () => {
    const warnings: string[] = [];
    expect((await client({ insecure: true, warn: (m: string) => warnings.push(m) }).info()).clusterName).toBe("tls");
    expect(warnings).toHaveLength(1);
  });

  it("verifyPinnedChain: a CA pin requires valid signatures up to it", () => {
    const caFp = certificateFingerprint(der("ca.crt"));
    expect(verifyPinnedChain([der("leaf.crt"), der("ca.crt")], caFp)).toBeUndefined();
    // The real CA certificate is public: sending it next to a forged server certificate must not pass.
    expect(verifyPinnedChain([der("forged.crt"), der("ca.crt")], caFp)).toContain("not signed");
    expect(verifyPinnedChain([der("leaf.crt")], caFp)).toContain("no certificate");
    expect(verifyPinnedChain([der("leaf.crt"), der("ca.crt")], caFp, new Date("2200-01-01"))).toContain("validity");
    // A pinned server certificate needs no chain.
    expect(verifyPinnedChain([der("forged.crt")], certificateFingerprint(der("forged.crt")))).toBeUndefined();
  });
});
