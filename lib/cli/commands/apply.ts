/**
 * `esinfer apply [PLAN]` and `esinfer destroy`: show the plan, ask for confirmation on a terminal (unless
 * `--auto-approve`; a saved plan is applied as it is, or refused when stale), then carry it out with progress.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { PLAN_FORMAT_VERSION, type Plan } from "../../engine";
import { parseTimeValue } from "../../client";
import { renderHuman } from "../../engine/render";
import { colors, UsageError, type Io } from "../io";
import { createProgress } from "../progress";
import { openSession, positiveInt, type EngineCommandOptions } from "../session";

export interface ApplyCommandOptions extends EngineCommandOptions {
  autoApprove?: boolean;
  allowInUse?: boolean;
  verify?: boolean;
  timeout?: string;
  json?: boolean;
}

export async function run(io: Io, options: ApplyCommandOptions, planFile?: string): Promise<number> {
  return applyOrDestroy(io, options, { planFile, destroy: false });
}

export async function applyOrDestroy(
  io: Io,
  options: ApplyCommandOptions,
  how: { planFile?: string; destroy: boolean },
): Promise<number> {
  const saved = how.planFile ? await readSavedPlan(io, how.planFile) : undefined;
  const lockTimeoutMs = options.lockTimeout ? duration("--lock-timeout", options.lockTimeout) : 0;
  if (options.timeout) duration("--timeout", options.timeout);
  const color = colors(io).isColorSupported;
  const verb = how.destroy ? "destroy" : "apply";
  return openSession(io, options, async (session) => {
    let progress: ReturnType<typeof createProgress> | undefined;
    let applying: Plan | undefined = saved; // the plan being carried out, known before the first event
    const { plan, result, declined } = await session.apply({
      ...(saved ? { plan: saved, saved: true } : {}),
      destroy: how.destroy,
      lockTimeoutMs,
      allowInUse: options.allowInUse,
      verify: options.verify,
      ...(options.timeout ? { createTimeout: options.timeout } : {}),
      ...(options.parallelism ? { parallelism: positiveInt("--parallelism", options.parallelism) } : {}),
      confirm: async (fresh) => {
        applying = fresh;
        if (!options.json) io.stdout.write(renderHuman(fresh, { color }));
        if (options.autoApprove) return true;
        if (!(io.stdin as { isTTY?: boolean }).isTTY)
          throw new UsageError(
            `${verb} needs confirmation: run it in a terminal, or pass --auto-approve (or apply a saved plan)`,
          );
        return ask(io, `\nDo you want to ${verb} these changes? Only 'yes' will be accepted: `);
      },
      onEvent: (event) => {
        progress ??= createProgress(io, { total: applying?.endpoints.filter((e) => e.action !== "no-op").length ?? 0 });
        progress.onEvent(event);
      },
    });
    progress?.finish();
    if (declined) {
      io.stdout.write(`${verb === "destroy" ? "Destroy" : "Apply"} cancelled.\n`);
      return 1;
    }
    if (options.json) {
      io.stdout.write(
        JSON.stringify(
          {
            format_version: PLAN_FORMAT_VERSION,
            stack: plan.stack,
            summary: plan.summary,
            outcomes: result?.outcomes ?? [],
          },
          null,
          2,
        ) + "\n",
      );
      return result && result.failed > 0 ? 1 : 0;
    }
    if (!result || result.outcomes.length === 0) {
      if (saved || !plan.endpoints.some((e) => e.action !== "no-op")) io.stdout.write(renderHuman(plan, { color }));
      return 0;
    }
    return reportOutcomes(io, verb, result.outcomes);
  });
}

function reportOutcomes(
  io: Io,
  verb: string,
  outcomes: readonly { inference_id: string; action: string; status: string; error?: string }[],
): number {
  const c = colors(io);
  const done = (action: string) => outcomes.filter((o) => o.status === "ok" && o.action === action).length;
  const failed = outcomes.filter((o) => o.status === "failed");
  const summary = `${done("create")} created, ${done("update")} updated in place, ${done("replace")} replaced, ${done("delete")} deleted`;
  if (failed.length === 0) {
    io.stdout.write(`\n${c.green(`${verb === "destroy" ? "Destroy" : "Apply"} complete:`)} ${summary}.\n`);
    return 0;
  }
  io.stderr.write(
    `\n${c.red(`${verb === "destroy" ? "Destroy" : "Apply"} failed for ${failed.length} of ${outcomes.length} endpoints`)} (${summary}):\n`,
  );
  for (const f of failed) io.stderr.write(`  ${c.red("✗")} ${f.inference_id} (${f.action}): ${f.error}\n`);
  io.stderr.write("Run esinfer plan to see where each endpoint stands; applying again converges.\n");
  return 1;
}

async function ask(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout as NodeJS.WritableStream });
  try {
    return (await rl.question(question)).trim() === "yes";
  } finally {
    rl.close();
  }
}

async function readSavedPlan(io: Io, file: string): Promise<Plan> {
  let value: Plan;
  try {
    value = JSON.parse(await readFile(resolve(io.cwd, file), "utf8")) as Plan;
  } catch (e) {
    throw new UsageError(
      `cannot read saved plan ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
      2,
    );
  }
  if (value?.format_version !== PLAN_FORMAT_VERSION || !Array.isArray(value.endpoints) || !value.basis)
    throw new UsageError(
      `${file} is not an esinfer plan (format_version ${PLAN_FORMAT_VERSION}); make one with esinfer plan --out ${file}`,
      2,
    );
  return value;
}

function duration(flag: string, text: string): number {
  const ms = parseTimeValue(text);
  if (ms === undefined) throw new UsageError(`${flag} ${text}: a duration such as 30s, 2m or 500ms`);
  return ms;
}
