/**
 * Certificates for TLS tests, made per run with the openssl CLI (no key is checked in), and an HTTPS front for the
 * emulator: TLS terminated in the test, requests passed on to the emulator's plain HTTP.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
const CA_EXTENSIONS = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"];

/** Writes files into `dir` with openssl; returns a way to read them back. */
export class Certificates {
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }

  read(name: string): Buffer {
    return fs.readFileSync(this.file(name));
  }

  private openssl(...args: string[]): void {
    execFileSync("openssl", args, { cwd: this.dir, stdio: "pipe" });
  }

  /** `<name>.crt` and `<name>.key`: a self-signed certificate with these extensions. */
  private selfSignedCertificate(name: string, subject: string, extensions: readonly string[]): this {
    this.openssl(
      "req",
      "-x509",
      ...EC,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "3650",
      "-subj",
      subject,
      ...extensions,
    );
    return this;
  }

  /** `<name>.crt` and `<name>.key`: a self-signed CA. */
  ca(name: string, subject = "/CN=esinfer test CA"): this {
    return this.selfSignedCertificate(name, subject, CA_EXTENSIONS);
  }

  /** `<name>.crt` and `<name>.key`: a server certificate for `altNames` signed by CA `issuer`. */
  leaf(name: string, issuer: string, altNames: string, extra = ""): this {
    this.openssl("req", ...EC, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", "/CN=localhost");
    fs.writeFileSync(this.file(`${name}.ext`), `subjectAltName=${altNames}\nbasicConstraints=CA:FALSE\n${extra}`);
    const serial = String(fs.readdirSync(this.dir).length);
    this.openssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${issuer}.crt`,
      "-CAkey",
      `${issuer}.key`,
      "-set_serial",
      serial,
      "-days",
      "3650",
      "-out",
      `${name}.crt`,
      "-extfile",
      `${name}.ext`,
    );
    return this;
  }

  /** `<name>.crt` and `<name>.key`: a self-signed server certificate (no CA). */
  selfSigned(name: string, altNames: string): this {
    return this.selfSignedCertificate(name, "/CN=localhost", ["-addext", `subjectAltName=${altNames}`]);
  }
}

/** A listening HTTPS server and its URL. */
export interface HttpsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `key` and `cert` (the chain, server certificate first) on 127.0.0.1, answering with `handler`. */
export async function startHttps(
  options: { key: Buffer; cert: Buffer | string },
  handler: http.RequestListener,
): Promise<HttpsServer> {
  const server = https.createServer(options, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A request listener passing every request on to `target` (plain HTTP), headers and body included. */
export function forwardTo(target: string): http.RequestListener {
  return (req, res) => {
    const upstream = http.request(
      new URL(req.url ?? "/", target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  };
}
