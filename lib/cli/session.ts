/** Opening a stack session for a CLI command: stack source, environment, verbose logging, error reporting. */
import { StackSession, type Stack } from "../engine";
import { parseTimeValue, redact } from "../client";
import { VERSION } from "./version";
import { reporting } from "./problems";
import { UsageError, type Io } from "./io";
import { loadStack, type StackSourceOptions } from "./stack-source";
import { runInterruptible, type InterruptOptions, type Interruption } from "./interrupt";

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
  return withSession(io, () => loadStack(io, options), options, work);
}

/**
 * As `openSession`, for commands that change things (apply, destroy, import, state rm): SIGINT and SIGTERM stop
 * them gracefully (see interrupt.ts); `work` gets the interruption's signals.
 */
export async function openInterruptibleSession(
  io: Io,
  options: EngineCommandOptions,
  work: (session: StackSession, interruption: Interruption) => Promise<number>,
  interruptOptions: InterruptOptions = {},
): Promise<number> {
  return withInterruptibleSession(io, () => loadStack(io, options), options, work, interruptOptions);
}

/** `withSession` under `runInterruptible`: the session's inference requests are abandoned on `abort`. */
export async function withInterruptibleSession(
  io: Io,
  load: () => Stack | Promise<Stack>,
  options: EngineCommandOptions,
  work: (session: StackSession, interruption: Interruption) => Promise<number>,
  interruptOptions: InterruptOptions = {},
): Promise<number> {
  return runInterruptible(
    io,
    (interruption) => withSession(io, load, options, (session) => work(session, interruption), interruption),
    interruptOptions,
  );
}

/** Runs `work` with a session of the stack `load` gives, closed afterwards; errors reported as `reporting` does. */
export async function withSession(
  io: Io,
  load: () => Stack | Promise<Stack>,
  options: EngineCommandOptions,
  work: (session: StackSession) => Promise<number>,
  signals: Partial<Pick<Interruption, "abort" | "stop">> = {},
): Promise<number> {
  return reporting(io, async () => {
    const session = newStackSession(io, await load(), options, signals);
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  });
}

/**
 * The session of a stack. What fails here is the stack's cluster configuration (no URL, a credential reference
 * that does not resolve, a bad CA file): the user's to fix, so a message and exit 1, not a stack trace.
 */
export function newStackSession(
  io: Io,
  stack: Stack,
  options: EngineCommandOptions = {},
  signals: Partial<Pick<Interruption, "abort" | "stop">> = {},
): StackSession {
  const parallelism = options.parallelism ? positiveInt("--parallelism", options.parallelism) : undefined;
  try {
    return new StackSession(stack, {
      env: io.env,
      esinferVersion: VERSION,
      ...(signals.abort ? { abort: signals.abort } : {}),
      ...(signals.stop ? { stop: signals.stop } : {}),
      ...(parallelism ? { parallelism } : {}),
      // Notes of the state store (a stale lock of a crashed run taken over) belong with the command's output.
      onNote: (message) => io.stderr.write(`Note: ${message}\n`),
      client: {
        ...(options.verbose ? { verbose: (line: string) => io.stderr.write(`${line}\n`) } : {}),
        warn: (line: string) => io.stderr.write(`Warning: ${line}\n`),
      },
    });
  } catch (error) {
    throw cannotConnect(error, stack.name);
  }
}

/**
 * A cluster configuration that cannot be used (no URL, a credential reference that does not resolve, a bad CA
 * file): the user's to fix, so a message (redacted: it may quote a value it was given) and exit 1.
 */
export function cannotConnect(error: unknown, stackName?: string): UsageError {
  if (error instanceof UsageError) return error;
  const of = stackName === undefined ? "" : ` of stack ${stackName}`;
  return new UsageError(`cannot connect to the cluster${of}: ${redact((error as Error).message)}`);
}

/** A duration option (`30s`, `2m`, `500ms`) in milliseconds. */
export function durationMs(flag: string, text: string): number {
  const ms = parseTimeValue(text);
  if (ms === undefined) throw new UsageError(`${flag} ${text}: a duration such as 30s, 2m or 500ms`);
  return ms;
}

export function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${value}: must be a positive integer`);
  return n;
}
