/** Stacks against an in-process emulator, with state in a temporary directory. */
import { StackSession, parseManifest, type Stack } from "../../lib/engine";
import { formatIssue } from "../../lib/model";
import { tempDir } from "./temp";

/** Fast retries for fault tests (the defaults wait seconds). */
export const FAST_RETRIES = { maxRetries: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

export { tempDir } from "./temp";

export function makeStack(
  url: string,
  endpoints: unknown[],
  options: { name?: string; baseDir?: string; absent?: string[]; cluster?: Record<string, unknown> } = {},
): Stack {
  const { stack, issues } = parseManifest(
    {
      stack: options.name ?? "test",
      cluster: { url, ...options.cluster },
      endpoints,
      ...(options.absent ? { absent: options.absent } : {}),
    },
    { baseDir: options.baseDir ?? tempDir() },
  );
  if (!stack) throw new Error(issues.map(formatIssue).join("\n"));
  return stack;
}

export function session(
  stack: Stack,
  env: Record<string, string>,
  extra: Partial<ConstructorParameters<typeof StackSession>[1]> = {},
): StackSession {
  return new StackSession(stack, {
    env,
    client: FAST_RETRIES,
    onNote: () => undefined,
    esinferVersion: "test",
    ...extra,
  });
}
