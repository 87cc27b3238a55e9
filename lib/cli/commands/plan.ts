/**
 * `esinfer plan`: the field-level plan of a stack against its cluster. `--json` / `--format markdown` for
 * machines and pull requests, `--out FILE` to save it for `esinfer apply FILE`, `--detailed-exitcode` for CI
 * (0 no changes, 2 changes, 1 error).
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { hasChanges, type Plan } from "../../engine";
import { renderHuman, renderJson, renderMarkdown } from "../../engine/render";
import { colors, UsageError, type Io } from "../io";
import { openSession, type EngineCommandOptions } from "../session";

export interface PlanCommandOptions extends EngineCommandOptions {
  json?: boolean;
  format?: string;
  out?: string;
  detailedExitcode?: boolean;
  destroy?: boolean;
}

export function renderPlan(io: Io, plan: Plan, format: string): string {
  switch (format) {
    case "json":
      return renderJson(plan);
    case "markdown":
      return renderMarkdown(plan);
    case "human":
      return renderHuman(plan, { color: colors(io).isColorSupported });
    default:
      throw new UsageError(`--format ${format}: choose human, json or markdown`);
  }
}

export async function run(io: Io, options: PlanCommandOptions): Promise<number> {
  const format = options.json ? "json" : (options.format ?? "human");
  if (!["human", "json", "markdown"].includes(format))
    throw new UsageError(`--format ${format}: choose human, json or markdown`);
  return openSession(io, options, async (session) => {
    const plan = await session.plan({ destroy: options.destroy });
    io.stdout.write(renderPlan(io, plan, format));
    if (options.out) {
      await writeFile(resolve(io.cwd, options.out), renderJson(plan), { mode: 0o600 });
      if (format === "human")
        io.stdout.write(`\nSaved the plan to ${options.out}. Apply exactly it with: esinfer apply ${options.out}\n`);
    }
    return options.detailedExitcode && hasChanges(plan) ? 2 : 0;
  });
}
