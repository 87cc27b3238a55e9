/**
 * Where the CLI's stack comes from: a JSON manifest (`-f m.json`), or the stacks synthesized into `cdktf.out` by
 * the CDK for Terraform app of the current project (run first unless `--no-synth`; `--stack NAME` picks one).
 */
import { resolve } from "node:path";
import { ManifestReadError, loadManifest, type Stack } from "../engine";
import { UsageError, type Io } from "./io";

export interface StackSourceOptions {
  file?: string;
  stack?: string;
  synth?: boolean;
}

export async function loadStack(io: Io, options: StackSourceOptions): Promise<Stack> {
  if (options.file) {
    try {
      const stack = await loadManifest(resolve(io.cwd, options.file));
      if (options.stack && options.stack !== stack.name)
        throw new UsageError(`--stack ${options.stack}: the manifest declares stack ${stack.name}`);
      return stack;
    } catch (e) {
      if (e instanceof ManifestReadError) throw new UsageError(e.message);
      throw e;
    }
  }
  const { loadSynthesizedStack } = await import("./synthesized");
  return loadSynthesizedStack(io, { stack: options.stack, synth: options.synth !== false });
}
