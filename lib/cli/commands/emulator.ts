/**
 * `esinfer emulator`: runs the local emulator of the Elasticsearch inference management API until SIGINT or
 * SIGTERM. The first line printed is the URL it listens on, alone, so scripts can read it. The API key is never
 * printed.
 */
import { resolve } from "node:path";
import { compareVersions, MIN_SUPPORTED_VERSION, parseVersion } from "../../catalogue";
import { startEmulator, type Emulator } from "../../emulator";
import { UsageError, type Io } from "../io";

export interface EmulatorCommandOptions {
  port?: string;
  host?: string;
  esVersion?: string;
  apiKey?: string;
  latencyMs?: string;
  dataDir?: string;
}

/**
 * An `Io` that may carry an abort signal: `main(argv, io)` passes only parsed flags to the command, so a test that
 * runs the CLI in-process hands its signal over with the io instead.
 */
export interface EmulatorIo extends Io {
  /** Stops the emulator when aborted (tests; the command itself stops on SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
}

/** Environment variable read when `--api-key` is not given (keeps the key out of the process list). */
export const API_KEY_ENV = "ESINFER_EMULATOR_API_KEY";

function parsePort(text: string | undefined): number {
  if (text === undefined) return 9200;
  if (!/^\d+$/.test(text.trim()) || Number(text) > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535 (got "${text}")`);
  return Number(text);
}

function parseLatency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()))
    throw new UsageError(`--latency-ms must be a whole number of milliseconds (got "${text}")`);
  return Number(text);
}

function checkVersion(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    parseVersion(text);
  } catch (e) {
    throw new UsageError(`--es-version: ${(e as Error).message}`);
  }
  if (compareVersions(text, MIN_SUPPORTED_VERSION) < 0)
    throw new UsageError(
      `--es-version: the emulator supports Elasticsearch ${MIN_SUPPORTED_VERSION} and later (got ${text})`,
    );
  return text;
}

export async function run(io: EmulatorIo, options: EmulatorCommandOptions): Promise<number> {
  const port = parsePort(options.port);
  const latencyMs = parseLatency(options.latencyMs);
  const esVersion = checkVersion(options.esVersion);
  const host = options.host?.trim() || "127.0.0.1";
  const apiKey = options.apiKey ?? io.env[API_KEY_ENV];
  if (apiKey !== undefined && apiKey.trim() === "") throw new UsageError("--api-key must not be empty");
  const dataDir = options.dataDir ? resolve(io.cwd, options.dataDir) : undefined;

  let emulator: Emulator;
  try {
    emulator = await startEmulator({ port, host, esVersion, apiKey, latencyMs, dataDir });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new UsageError(`port ${port} on ${host} is already in use (try --port 0)`);
    if (code === "EADDRNOTAVAIL" || code === "EACCES")
      throw new UsageError(`cannot listen on ${host}:${port} (${code})`);
    throw e;
  }
  const behavior = emulator.behavior.main ? `${emulator.version}, main (2026)` : emulator.version;
  io.stdout.write(`${emulator.url}\n`);
  io.stdout.write(
    `esinfer emulator of the Elasticsearch inference API (${behavior} behavior; a test double, not Elasticsearch); Ctrl-C stops it\n`,
  );
  if (apiKey !== undefined) io.stdout.write("API key authentication on (Authorization: ApiKey <key>)\n");
  if (latencyMs) io.stdout.write(`latency: ${latencyMs} ms per request\n`);
  if (emulator.stateFile) io.stdout.write(`state: ${emulator.stateFile}\n`);

  const signal = io.signal;
  await new Promise<void>((done) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      signal?.removeEventListener("abort", stop);
      done();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener("abort", stop);
  });
  await emulator.stop();
  io.stdout.write("esinfer emulator stopped\n");
  return 0;
}
