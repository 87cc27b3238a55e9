/** Running a real `terraform` binary in tests, when one is installed (honors TERRAFORM_BINARY_NAME). */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const TERRAFORM = process.env.TERRAFORM_BINARY_NAME || "terraform";

/** The binary's version line, or undefined when there is none. */
export function terraformVersion(): string | undefined {
  try {
    return execFileSync(TERRAFORM, ["version"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } })
      .split("\n")[0]!
      .trim();
  } catch {
    return undefined;
  }
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `terraform -chdir=<dir> <args>`, offline-friendly, never prompting. */
export function terraform(dir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TERRAFORM, [`-chdir=${dir}`, ...args], {
      env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like `terraform` but throws with everything Terraform printed when it fails. */
export async function terraformOk(dir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const run = await terraform(dir, args, env);
  if (run.code !== 0) throw new Error(`terraform ${args.join(" ")} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return run;
}

/**
 * Terraform runs the hooks, and synthesis its drift lookup, through bin/esinfer.js, which loads the compiled dist/:
 * build it (incrementally, a few seconds when nothing changed) so they run the code under test, also when jest runs
 * without `npm test`. tsc emits despite type errors (this test's own are ts-jest's to report); a build that
 * emitted nothing fails.
 */
export function ensureBuilt(): void {
  const root = join(__dirname, "..", "..");
  const run = spawnSync(
    process.execPath,
    [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"],
    { cwd: root, encoding: "utf8" },
  );
  if (run.error) throw run.error;
  if (!existsSync(join(root, "dist", "cli", "main.js")))
    throw new Error(`building dist/ failed:\n${run.stdout}\n${run.stderr}`);
}
