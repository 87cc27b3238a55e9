/**
 * `startEmulator`: a local HTTP server that behaves like an Elasticsearch cluster's inference management API (of a
 * chosen version), for tests, the demo and benchmarks. No models, no provider calls.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { MAIN_VERSION } from "../catalogue";
import { preconfiguredEndpoints } from "./defaults";
import { Faults } from "./faults";
import { RequestLog } from "./request-log";
import { requestListener } from "./server";
import { render, Store, type EndpointConfig } from "./store";
import { createInStore } from "./create";
import { behaviorFor, type Behavior } from "./versions";
import { parseTaskType } from "./task-types";

export interface EmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  readonly port?: number;
  /** Interface to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Elasticsearch version whose behavior to emulate (default MAIN_VERSION, "main (2026)"); 8.18.0 or later. */
  readonly esVersion?: string;
  /** Require `Authorization: ApiKey <apiKey>` on every request. */
  readonly apiKey?: string;
  /** Latency added to every request, in milliseconds. */
  readonly latencyMs?: number;
  /** Directory whose state file survives restarts (secrets only as SHA-256 digests); default: memory only. */
  readonly dataDir?: string;
  /** Seed of the generator behind rate-based faults (default 1). */
  readonly seed?: number;
  /** `cluster_name` reported by `GET /` (default "esinfer-emulator"). */
  readonly clusterName?: string;
  /**
   * Ids of trained models uploaded with Eland (default none): an `elasticsearch` endpoint may name them as
   * `model_id` besides the built-in models; any other model is refused as the server refuses it.
   */
  readonly trainedModels?: readonly string[];
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:53122`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The emulated Elasticsearch version (`major.minor.patch`). */
  readonly version: string;
  /** The version's behavior switches. */
  readonly behavior: Behavior;
  /** Every request received (no bodies, no header values); `clear()` to start over. */
  readonly requests: RequestLog;
  /** Fault injection: latency, error responses, dropped connections. */
  readonly faults: Faults;
  /** Path of the persisted state file, when `dataDir` was given. */
  readonly stateFile: string | undefined;
  /** User endpoints as GET returns them (defaults excluded), sorted by id. */
  endpoints(): EndpointConfig[];
  /** The default endpoints this version lists. */
  preconfiguredEndpoints(): EndpointConfig[];
  /**
   * Creates an endpoint directly (same validation as `PUT _inference/...`; throws the server's error as an
   * `EsError`). For test setup that should not show up in the request log.
   */
  createEndpoint(inferenceId: string, body: Record<string, unknown>, taskType?: string): EndpointConfig;
  /** Forgets all endpoints, indices, documents and pipelines; also clears the request log and faults. */
  reset(): void;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

/** Starts an emulator. Rejects for versions below 8.18 or when the port cannot be bound. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const behavior = behaviorFor(options.esVersion ?? MAIN_VERSION);
  if (options.latencyMs !== undefined && !(Number.isFinite(options.latencyMs) && options.latencyMs >= 0))
    throw new Error(`latencyMs must be a non-negative number (got ${options.latencyMs})`);
  const store = new Store(options.dataDir, options.trainedModels);
  const faults = new Faults(options.seed ?? 1, options.latencyMs ?? 0);
  const log = new RequestLog();
  const host = options.host ?? "127.0.0.1";
  const cluster = {
    name: "esinfer-emulator-node",
    clusterName: options.clusterName ?? "esinfer-emulator",
    clusterUuid: randomUUID().replace(/-/g, "").slice(0, 22),
  };
  const server: Server = createServer(
    { keepAlive: true },
    requestListener({ behavior, store, faults, log, cluster, apiKey: options.apiKey }),
  );
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    log.connected();
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (options.port ?? 0);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let stopped: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    version: behavior.version,
    behavior,
    requests: log,
    faults,
    stateFile: store.stateFile,
    endpoints: () =>
      [...store.endpoints.values()]
        .map(render)
        .sort((a, b) => (a.inference_id < b.inference_id ? -1 : a.inference_id > b.inference_id ? 1 : 0)),
    preconfiguredEndpoints: () => preconfiguredEndpoints(behavior),
    createEndpoint(inferenceId, body, taskType) {
      const pathTaskType = taskType === undefined ? "any" : parseTaskType(taskType, behavior);
      return render(createInStore(store, inferenceId, pathTaskType, body, behavior));
    },
    reset() {
      store.reset();
      log.clear();
      faults.clear(options.seed ?? 1);
      faults.baseLatencyMs = options.latencyMs ?? 0;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections?.();
      });
      return stopped;
    },
  };
}
