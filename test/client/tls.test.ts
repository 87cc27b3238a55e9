/**
 * TLS: CA file, fingerprint pinning (server certificate or CA) and insecure mode against an in-test HTTPS server.
 * Certificates are generated per run with the openssl CLI (skipped where it is missing); no key is checked in.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  certificateFingerprint,
  ConnectionError,
  ElasticsearchClient,
  FINGERPRINT_MISMATCH,
  verifyPinnedChain,
} from "../../lib/client";

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const describeTls = hasOpenssl() ? describe : describe.skip;

describeTls("TLS", () => {
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const der = (name: string) => new X509Certificate(fs.readFileSync(file(name))).raw;
  let server: https.Server;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "esinfer-tls-"));
    const ossl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    const ca = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"];
    ossl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-days",
      "3650",
      "-subj",
      "/CN=esinfer test CA",
      ...ca,
    );
    ossl("req", ...ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=localhost");
    fs.writeFileSync(file("leaf.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
    ossl(
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-set_serial",
      "2",
      "-days",
      "3650",
      "-out",
      "leaf.crt",
      "-extfile",
      "leaf.ext",
    );
    // A forgery: same CA name, different key, and no key identifier linking it to its real signer.
    ossl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "fake.key",
      "-out",
      "fake.crt",
      "-days",
      "3650",
      "-subj",
      "/CN=esinfer test CA",
      ...ca,
    );
    fs.writeFileSync(file("forged.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nauthorityKeyIdentifier=none\n");
    ossl(
      "x509",
      "-req",
      "-in",
      "leaf.csr",
      "-CA",
      "fake.crt",
      "-CAkey",
      "fake.key",
      "-set_serial",
      "3",
      "-days",
      "3650",
      "-out",
      "forged.crt",
      "-extfile",
      "forged.ext",
    );

    server = https.createServer(
      {
        key: fs.readFileSync(file("leaf.key")),
        cert: fs.readFileSync(file("leaf.crt")) + fs.readFileSync(file("ca.crt"), "utf8"),
      },
      (_req, res) => {
        requests++;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ cluster_name: "tls", cluster_uuid: "u", version: { number: "9.1.0" } }));
      },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
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
