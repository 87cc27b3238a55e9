/** `esinfer test ID`: performs one inference against an endpoint and checks the result has the right shape. */
import { ElasticsearchClient, connectionFromEnv } from "../../client";
import { connectionFor, loadManifest, verifyEndpoint } from "../../engine";
import type { TaskType } from "../../catalogue";
import { colors, UsageError, type Io } from "../io";
import { reportError } from "../problems";
import { resolve } from "node:path";

export interface TestCommandOptions {
  file?: string;
  input?: string;
}

export async function run(io: Io, options: TestCommandOptions, id: string): Promise<number> {
  let client: ElasticsearchClient | undefined;
  try {
    const connection = options.file
      ? await (async () => {
          const stack = await loadManifest(resolve(io.cwd, options.file!));
          return connectionFor(stack.cluster, { env: io.env, baseDir: stack.baseDir });
        })()
      : connectionFromEnv(io.env as NodeJS.ProcessEnv);
    if (!connection) throw new UsageError("no cluster configured: pass -f manifest.json or set ELASTICSEARCH_URL");
    client = new ElasticsearchClient(connection);
    const endpoint = await client.getEndpoint(id);
    if (!endpoint) throw new UsageError(`no inference endpoint ${id} in the cluster`);
    const result = await verifyEndpoint(client, id, endpoint.task_type as TaskType, options.input);
    const c = colors(io);
    if (result.ok)
      io.stdout.write(`${c.green("✓")} ${id} (${endpoint.service} ${endpoint.task_type}): ${result.message}\n`);
    else io.stderr.write(`${c.red("✗")} ${id} (${endpoint.service} ${endpoint.task_type}): ${result.message}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    const code = reportError(io, error);
    if (code === undefined) throw error;
    return code;
  } finally {
    await client?.close();
  }
}
