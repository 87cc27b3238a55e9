/**
 * TLS for the transport: what undici's `connect` option gets for `caFile`, `insecure` and `caFingerprint`.
 *
 * A fingerprint pins a certificate of the server's chain, as Elasticsearch's auto-configured security prints it
 * for its self-signed HTTP CA. The system trust store cannot verify such a chain, so with a fingerprint (and no
 * `caFile`) Node's own verification is turned off and the chain is checked here instead:
 * - the pinned certificate is the server certificate itself: the handshake proved the server holds its key;
 * - the pinned certificate is a CA in the chain: every signature from the server certificate up to it is verified,
 *   because with Node's verification off a peer can send any CA certificate (they are public) next to a forged one.
 * The host name is not checked against a pinned certificate (the pin identifies the cluster, like the official
 * clients' `caFingerprint`); with `caFile` the full standard verification, host name included, runs as well.
 */
import { createHash, X509Certificate } from "node:crypto";
import type { DetailedPeerCertificate, TLSSocket } from "node:tls";
import { buildConnector } from "undici";
import type { ResolvedTls } from "./connection";

/** Error code of a connection refused because no certificate of the chain matches the fingerprint. */
export const FINGERPRINT_MISMATCH = "ESINFER_CERT_FINGERPRINT_MISMATCH";

/** Codes of TLS failures: retrying cannot help, so they are not retried. */
const TLS_ERROR_CODES = new Set([
  FINGERPRINT_MISMATCH,
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "EPROTO",
]);

/** Whether an error code is a TLS verification or handshake failure. */
export function isTlsErrorCode(code: string | undefined): boolean {
  return (
    code !== undefined && (TLS_ERROR_CODES.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_"))
  );
}

/** SHA-256 of a DER certificate, lowercase hex without colons. */
export function certificateFingerprint(der: Buffer): string {
  return createHash("sha256").update(der).digest("hex");
}

/**
 * Checks a peer chain (DER, server certificate first) against a pinned fingerprint (lowercase hex, no colons).
 * Returns undefined when accepted, else the reason. Pure, so it is unit-testable with forged chains.
 */
export function verifyPinnedChain(
  chain: readonly Buffer[],
  fingerprint: string,
  now: Date = new Date(),
): string | undefined {
  if (chain.length === 0) return "the server sent no certificate";
  const pinnedAt = chain.findIndex((der) => certificateFingerprint(der) === fingerprint);
  if (pinnedAt < 0) return "no certificate in the server's chain matches the configured CA fingerprint";
  const certs = chain.slice(0, pinnedAt + 1).map((der) => new X509Certificate(der));
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i]!;
    if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) {
      return `certificate "${cert.subject.replace(/\n/g, ", ")}" is outside its validity period`;
    }
    if (i === 0) continue;
    const child = certs[i - 1]!;
    if (!cert.ca) return `certificate "${cert.subject.replace(/\n/g, ", ")}" is not a CA but appears as an issuer`;
    if (!child.checkIssued(cert) || !child.verify(cert.publicKey)) {
      return `certificate "${child.subject.replace(/\n/g, ", ")}" is not signed by the pinned chain`;
    }
  }
  return undefined;
}

/** The peer's chain as DER, server certificate first, as far as the peer sent it (cycles stop at self-signed roots). */
function peerChain(socket: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(cert.raw);
    cert = cert.issuerCertificate;
  }
  return out;
}

/** undici `connect` option for the resolved TLS settings; undefined for defaults (system store, full verification). */
export function tlsConnectOption(tls: ResolvedTls): buildConnector.BuildOptions | buildConnector.connector | undefined {
  if (tls.insecure) return { rejectUnauthorized: false };
  if (!tls.caFingerprint) return tls.ca ? { ca: tls.ca } : undefined;

  const fingerprint = tls.caFingerprint;
  const base = buildConnector({
    ...(tls.ca ? { ca: tls.ca } : {}),
    // Standard verification only when a CA file was given too; otherwise the pin is the trust anchor.
    rejectUnauthorized: tls.ca !== undefined,
    // A resumed session presents no certificate to check; never resume, so every connection is verified.
    maxCachedSessions: 0,
  });
  return (options, callback) => {
    base(options, (...args) => {
      const [err, socket] = args;
      if (err !== null) return callback(err, null);
      if (options.protocol !== "https:") return callback(null, socket!);
      const problem = verifyPinnedChain(peerChain(socket as TLSSocket), fingerprint);
      if (problem === undefined) return callback(null, socket!);
      socket!.destroy();
      const error = Object.assign(new Error(`TLS: ${problem}`), { code: FINGERPRINT_MISMATCH });
      return callback(error, null);
    });
  };
}
