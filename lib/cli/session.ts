/** Opening a stack session for a CLI command: stack source, environment, verbose logging, error reporting. */
import { StackSession } from "../engine";
import { VERSION } from "./version";
import { reportError } from "./problems";
import { UsageError, type Io } from "./io";
import { loadStack, type StackSourceOptions } from "./stack-source";

export interface EngineCommandOptions extends StackSourceOptions {
  verbose?: boolean;
  parallelism?: string;
  lockTimeout?: string;
}

export async function openSession(
  io: Io,
  options: EngineCommandOptions,
  work: (session: StackSession) => Promise<number>,
): Promise<number> {
  let session: StackSession | undefined;
  try {
    const stack = await loadStack(io, options);
    session = new StackSession(stack, {
      env: io.env,
      esinferVersion: VERSION,
      ...(options.parallelism ? { parallelism: positiveInt("--parallelism", options.parallelism) } : {}),
      client: {
        ...(options.verbose ? { verbose: (line: string) => io.stderr.write(`${line}\n`) } : {}),
        warn: (line: string) => io.stderr.write(`Warning: ${line}\n`),
      },
    });
    return await work(session);
  } catch (error) {
    const code = reportError(io, error);
    if (code === undefined) throw error;
    return code;
  } finally {
    await session?.close();
  }
}

export function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${value}: must be a positive integer`);
  return n;
}
