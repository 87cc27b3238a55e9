/**
 * A process that takes a stack's state lock and holds it, for the state-store tests: they kill it (SIGKILL) and
 * watch who takes the lock over, and when. Run as `node --import tsx lock-holder.ts '<json>'` with
 * `{ backend: "file", path } | { backend: "cluster", url, index }` plus `stack`, optional `host` (a simulated other
 * host), `leaseMs` and `hold` (false: take the lock and let the script end, never releasing it). Prints
 * `locked <lock id>` once it holds the lock.
 */
import { ElasticsearchClient } from "../../../lib/client";
import { ClusterStateStore, FileStateStore, type HeldLock, type StateStore } from "../../../lib/engine/state";

interface HolderConfig {
  readonly backend: "file" | "cluster";
  readonly path?: string;
  readonly url?: string;
  readonly index?: string;
  readonly stack: string;
  readonly host?: string;
  readonly leaseMs?: number;
  readonly hold?: boolean;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as HolderConfig;
  const common = {
    stack: config.stack,
    onNote: (m: string) => process.stderr.write(`Note: ${m}\n`),
    ...(config.host ? { host: config.host } : {}),
    ...(config.leaseMs ? { leaseMs: config.leaseMs } : {}),
  };
  const store: StateStore =
    config.backend === "file"
      ? new FileStateStore(config.path!, common)
      : new ClusterStateStore(new ElasticsearchClient({ nodes: [config.url!], maxRetries: 0 }), {
          ...common,
          index: config.index!,
        });
  const held = (await store.lock("apply", 0)) as HeldLock;
  process.stdout.write(`locked ${held.info.id}\n`);
  // Held until killed; the lease timer alone must not keep the process alive, so keep it alive explicitly.
  if (config.hold !== false) setInterval(() => undefined, 60_000);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
