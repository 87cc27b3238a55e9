/**
 * `esinfer plan`: the field-level plan of a stack against its cluster. `--json` / `--format markdown` for
 * machines and pull requests, `--out FILE` to save it for `esinfer apply FILE`, `--detailed-exitcode` for CI
 * (0 no changes, 2 changes, 1 error).
 */
import { resolve } from "node:path";
import { writeAtomically } from "../../engine/state/file-access";
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
  target?: string[];
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
  // Every error exits 1, with or without --detailed-exitcode: 2 only ever means "changes".
  return planStack(io, options, format);
}

async function planStack(io: Io, options: PlanCommandOptions, format: string): Promise<number> {
  return openSession(io, options, async (session) => {
    const how = { destroy: options.destroy, ...(options.target?.length ? { target: options.target } : {}) };
    const planned = options.out ? await session.planToSave(how) : { plan: await session.plan(how), saved: undefined };
    const { plan } = planned;
    io.stdout.write(renderPlan(io, plan, format));
    if (options.out && planned.saved !== undefined) {
      try {
        // Mode 0600 even over an existing world-readable file: a plan names what exists in the cluster.
        await writeAtomically(resolve(io.cwd, options.out), planned.saved);
      } catch (e) {
        throw new UsageError(`cannot save the plan to ${options.out}: ${(e as Error).message}`);
      }
      // The saved plan is applied against the same stack, so the hint names the manifest too.
      const apply = `esinfer apply${options.file ? ` -f ${options.file}` : ""} ${options.out}`;
      // stdout stays one document with --json / markdown: the note goes to stderr there
      (format === "human" ? io.stdout : io.stderr).write(
        `${format === "human" ? "\n" : ""}Saved the plan to ${options.out}. Apply exactly it with: ${apply}\n`,
      );
    }
    return options.detailedExitcode && hasChanges(plan) ? 2 : 0;
  });
}
