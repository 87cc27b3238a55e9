/**
 * `esinfer apply [PLAN]` and `esinfer destroy`: show the plan, ask for confirmation on a terminal (unless
 * `--auto-approve`; a saved plan is applied as it is, or refused when stale), then carry it out with progress.
 * Ctrl-C stops starting new work, lets requests in flight finish, records the state, releases the lock, prints what
 * was done and what was not, and exits 130 (SIGTERM: 143); see ../interrupt.ts.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { PLAN_FORMAT_VERSION, type ApplyResult, type Plan } from "../../engine";
import { SavedPlanError } from "../../engine/saved-plan";
import { EsinferError } from "../../errors";
import { decodeUtf8 } from "../../model";
import { describeJsonError } from "../../model/json-error";
import { describeReadError } from "../../model/read-error";
import { isPlainObject } from "../../model/schema-walk";
import { renderHuman, summaryLine } from "../../engine/render";
import { colors, UsageError, type Io } from "../io";
import { applyWithProgress } from "../progress";
import { durationMs, openInterruptibleSession, positiveInt, type EngineCommandOptions } from "../session";
import type { EndpointOutcome } from "../../engine";

export interface ApplyCommandOptions extends EngineCommandOptions {
  autoApprove?: boolean;
  allowInUse?: boolean;
  verify?: boolean;
  timeout?: string;
  json?: boolean;
  target?: string[];
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
  const savedStack = isPlainObject(saved?.raw) && typeof saved.raw.stack === "string" ? saved.raw.stack : undefined;
  const lockTimeoutMs = options.lockTimeout ? durationMs("--lock-timeout", options.lockTimeout) : 0;
  if (options.timeout) durationMs("--timeout", options.timeout);
  const verb = how.destroy ? "destroy" : "apply";
  // As Terraform's `apply -json`: nobody reads a plan inside a JSON stream, so nobody could confirm it.
  if (options.json && !options.autoApprove && !saved)
    throw new UsageError(`${verb} --json needs --auto-approve (or a saved plan): there is no one to confirm the plan`);
  const color = colors(io).isColorSupported;
  // A saved plan names its stack: that picks the synthesized stack (a manifest names its own stack).
  const source = savedStack && !options.file && !options.stack ? { ...options, stack: savedStack } : options;
  return openInterruptibleSession(io, source, async (session, interruption) => {
    const { plan, result, declined } = await applyWithProgress(
      io,
      session,
      {
        ...(saved ? { saved } : {}),
        destroy: how.destroy,
        lockTimeoutMs,
        stop: interruption.stop,
        ...(options.target?.length ? { target: options.target } : {}),
        allowInUse: options.allowInUse,
        verify: options.verify,
        ...(options.timeout ? { createTimeout: options.timeout } : {}),
        ...(options.parallelism ? { parallelism: positiveInt("--parallelism", options.parallelism) } : {}),
        // Called once the plan (fresh, or saved and found not stale) has changes, before anything is changed.
        confirm: async (fresh) => {
          if (saved) {
            // Reviewed when it was made: applied as it is, without asking again (as Terraform does).
            if (!options.json) io.stdout.write(`Applying the saved plan ${how.planFile}: ${summaryLine(fresh)}\n`);
            return true;
          }
          if (!options.json) io.stdout.write(renderHuman(fresh, { color }));
          if (options.autoApprove) return true;
          if (!(io.stdin as { isTTY?: boolean }).isTTY)
            throw new UsageError(
              `${verb} needs confirmation and stdin is not a terminal: pass --auto-approve, or save the plan with esinfer plan --out FILE and apply that file`,
            );
          return ask(io, `\nDo you want to ${verb} these changes? Only 'yes' will be accepted: `, interruption.stop);
        },
      },
      // stdout carries only the JSON document with --json
      options.json ? { output: io.stderr } : {},
    );
    if (declined) {
      io.stdout.write(`${verb === "destroy" ? "Destroy" : "Apply"} cancelled; nothing was changed.\n`);
      return 1;
    }
    if (interruption.stop.aborted && (!result || result.outcomes.length === 0)) {
      io.stderr.write(
        `${verb === "destroy" ? "Destroy" : "Apply"} interrupted before any change; nothing was changed.\n`,
      );
      return 1;
    }
    if (options.json) {
      io.stdout.write(JSON.stringify(applyDocument(plan, result), null, 2) + "\n");
      return result && (result.failed > 0 || result.interrupted) ? 1 : 0;
    }
    if (!result || result.outcomes.length === 0) {
      if (saved || !plan.endpoints.some((e) => e.action !== "no-op")) io.stdout.write(renderHuman(plan, { color }));
      return 0;
    }
    return reportOutcomes(io, verb, result.outcomes, session.stack.name);
  });
}

/**
 * What `apply --json` / `destroy --json` print (docs/plan-json.md): the plan's identity and summary, then one
 * outcome per endpoint worked on, in the plan's order. Field names are snake_case, as in the plan document.
 */
function applyDocument(plan: Plan, result: ApplyResult | undefined) {
  const outcomes = result?.outcomes ?? [];
  return {
    format_version: PLAN_FORMAT_VERSION,
    stack: plan.stack,
    summary: plan.summary,
    failed: result?.failed ?? 0,
    ...(result?.interrupted ? { interrupted: true } : {}),
    outcomes: outcomes.map((o) => ({
      inference_id: o.inference_id,
      action: o.action,
      status: o.status,
      ...(o.error !== undefined ? { error: o.error } : {}),
      duration_ms: o.durationMs,
    })),
  };
}

function reportOutcomes(io: Io, verb: string, outcomes: readonly EndpointOutcome[], stack: string): number {
  const c = colors(io);
  const done = (action: string) => outcomes.filter((o) => o.status === "ok" && o.action === action).length;
  const failed = outcomes.filter((o) => o.status === "failed");
  const notStarted = outcomes.filter((o) => o.status === "not-started");
  const summary = `${done("create")} created, ${done("update")} updated in place, ${done("replace")} replaced, ${done("delete")} deleted`;
  if (notStarted.length > 0) {
    io.stderr.write(
      `\n${c.red(`${verb === "destroy" ? "Destroy" : "Apply"} interrupted`)} (${summary}; ${failed.length} failed; ` +
        `${notStarted.length} not started). The state of stack ${stack} records what was done; the lock is released.\n`,
    );
    for (const f of failed) io.stderr.write(`  ${c.red("✗")} ${f.inference_id} (${f.action}): ${f.error}\n`);
    io.stderr.write(`  not started: ${notStarted.map((o) => `${o.inference_id} (${o.action})`).join(", ")}\n`);
    io.stderr.write(`Run esinfer ${verb} again to finish: it converges.\n`);
    return 1;
  }
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

/**
 * Asks on stdout and reads one line from stdin. The question is written through `io.stdout` and readline gets no
 * output stream: it only needs `write` then, and the terminal's own line editing (cooked mode) still applies.
 * End of input (Ctrl-D, a closed pipe) counts as "no".
 */
async function ask(io: Io, question: string, stop: AbortSignal): Promise<boolean> {
  io.stdout.write(question);
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string | undefined>((resolve) => {
      rl.once("line", resolve);
      rl.once("close", () => resolve(undefined));
      // Ctrl-C at the question is a "no".
      stop.addEventListener("abort", () => resolve(undefined), { once: true });
    });
    if (answer === undefined) io.stdout.write("\n");
    return answer?.trim() === "yes";
  } finally {
    rl.close();
  }
}

/** A saved plan file's JSON, unverified (the session checks its MAC under the lock). Unreadable: exit 2. */
async function readSavedPlan(io: Io, file: string): Promise<{ raw: unknown; file: string }> {
  let text: string;
  try {
    text = decodeUtf8(await readFile(resolve(io.cwd, file)), `saved plan ${file}`);
  } catch (e) {
    if (e instanceof EsinferError) throw new SavedPlanError(e.message);
    throw new SavedPlanError(`cannot read saved plan ${file}: ${describeReadError(e)}`);
  }
  try {
    return { raw: JSON.parse(text), file };
  } catch (e) {
    throw new SavedPlanError(`cannot read saved plan ${file}: it is not JSON (${describeJsonError(text, e as Error)})`);
  }
}
