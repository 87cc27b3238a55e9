/** `esinfer test ID`: performs one inference against an endpoint and checks the result has the right shape. */
import { ElasticsearchClient, connectionFromEnv, type ConnectionOptions } from "../../client";
import { connectionFor, verifyEndpoint } from "../../engine";
import type { TaskType } from "../../catalogue";
import { colors, UsageError, type Io } from "../io";
import { reporting } from "../problems";
import { cannotConnect } from "../session";
import { loadStack } from "../stack-source";

export interface TestCommandOptions {
  file?: string;
  input?: string;
}

export async function run(io: Io, options: TestCommandOptions, id: string): Promise<number> {
  let client: ElasticsearchClient | undefined;
  return reporting(io, async () => {
    try {
      client = new ElasticsearchClient({
        ...(await connection(io, options)),
        warn: (line: string) => io.stderr.write(`Warning: ${line}\n`),
      });
      const endpoint = await client.getEndpoint(id);
      if (!endpoint) throw new UsageError(`no inference endpoint ${id} in the cluster`);
      const result = await verifyEndpoint(client, id, endpoint.task_type as TaskType, options.input);
      const line = `${id} (${endpoint.service} ${endpoint.task_type}): ${result.message}\n`;
      if (result.ok) io.stdout.write(`${colors(io).green("✓")} ${line}`);
      else io.stderr.write(`${colors(io, io.stderr).red("✗")} ${line}`);
      return result.ok ? 0 : 1;
    } finally {
      await client?.close();
    }
  });
}

/** The cluster of the manifest (`-f`), else of the environment (ELASTICSEARCH_URL and friends). */
async function connection(io: Io, options: TestCommandOptions): Promise<ConnectionOptions> {
  // Read as every other command reads a manifest: an unreadable one is exit 2, an invalid one lists its problems.
  const stack = options.file ? await loadStack(io, { file: options.file }) : undefined;
  try {
    const found = stack
      ? connectionFor(stack.cluster, { env: io.env, baseDir: stack.baseDir, stack: stack.name })
      : connectionFromEnv(io.env as NodeJS.ProcessEnv);
    if (found) return found;
  } catch (error) {
    throw cannotConnect(error, stack?.name); // the cluster configuration is the user's to fix: a message, not a stack trace
  }
  throw new UsageError("no cluster configured: pass -f manifest.json or set ELASTICSEARCH_URL");
}
