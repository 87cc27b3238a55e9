/** `esinfer force-unlock LOCK_ID`: removes a state lock left behind by a crashed run (the id must match). */
import type { Io } from "../io";
import { openSession, type EngineCommandOptions } from "../session";

export async function run(io: Io, options: EngineCommandOptions, lockId: string): Promise<number> {
  return openSession(io, options, async (session) => {
    await session.store.forceUnlock(lockId);
    io.stdout.write(`Unlocked the state of stack ${session.stack.name} (${session.store.description}).\n`);
    return 0;
  });
}
