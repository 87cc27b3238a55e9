/** Reading the stacks synthesized into cdktf.out (being written: see lib/constructs). */
import type { Stack } from "../engine";
import { UsageError, type Io } from "./io";

export async function loadSynthesizedStack(_io: Io, _options: { stack?: string; synth: boolean }): Promise<Stack> {
  throw new UsageError("reading synthesized stacks is not available yet: pass -f MANIFEST", 2);
}
