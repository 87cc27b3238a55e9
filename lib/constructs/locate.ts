/**
 * Paths the hooks need, as seen from the stack's working directory (`cdktf.out/stacks/<stack>`, where `cdktf
 * deploy` and `terraform -chdir=...` run Terraform and its provisioners): the esinfer CLI that synthesized the
 * stack (the project's own install, never one `npx` would fetch) and the project directory (the state file and
 * relative secret files live there). Relative, so the synthesized stack does not depend on where the project is
 * checked out.
 */
import { relative, resolve } from "node:path";

/** The esinfer CLI script of this installation (`<package>/bin/esinfer.js`, from `lib/constructs` or `dist/constructs`). */
export const ESINFER_BIN = resolve(__dirname, "..", "..", "bin", "esinfer.js");

export interface HookPaths {
  /** The CLI script, relative to the stack directory. */
  readonly bin: string;
  /** The project directory (where the app is synthesized from), relative to the stack directory. */
  readonly projectDir: string;
}

/**
 * `outdir` as the App has it (absolute, or relative to the working directory as cdktf takes it); `stackId` is the
 * TerraformStack's id; `projectDir` defaults to the working directory (where `cdktf synth` runs the app).
 */
export function hookPaths(outdir: string, stackId: string, projectDir: string = process.cwd()): HookPaths {
  const stackDir = resolve(outdir, "stacks", stackId);
  return {
    bin: portable(relative(stackDir, ESINFER_BIN)),
    projectDir: portable(relative(stackDir, resolve(projectDir)) || "."),
  };
}

// Forward slashes: the same synthesized text on every platform (Node and Terraform accept them on Windows).
const portable = (path: string) => path.split("\\").join("/");
