/**
 * `esinfer tf <hook>`: what the synthesized Terraform resources run (hidden from `--help`; see
 * lib/constructs/hook-contract.ts). Everything arrives as environment variables set from `self`; credentials only
 * as references resolved from the environment Terraform runs in. Each hook is the engine's apply scoped to what
 * its resource stands for, under the stack's state lock, so it is safe to repeat and to run ten at once:
 * - `reconcile`: make one endpoint match its declaration (create; update in place; replace only when it must).
 * - `delete`: delete one endpoint (identity changed, or `terraform destroy`).
 * - `prune`: delete what the stack owns but no longer declares, and what is declared absent.
 */
import { resolve } from "node:path";
import {
  DEFAULT_HOOK_LOCK_TIMEOUT,
  HOOK_ENV,
  HOOK_LOCK_TIMEOUT_ENV,
  OPERATOR_ALLOW_IN_USE_ENV,
  type HookCommand,
} from "../../constructs/hook-contract";
import { parseManifest, type PlanScope, type Stack } from "../../engine";
import { renderHuman } from "../../engine/render";
import { ValidationError } from "../../model";
import { UsageError, type Io } from "../io";
import { applyWithProgress } from "../progress";
import { durationMs, withSession } from "../session";

const HOOKS: readonly HookCommand[] = ["reconcile", "delete", "prune"];

export async function run(io: Io, _options: unknown, hook: string): Promise<number> {
  if (!HOOKS.includes(hook as HookCommand))
    throw new UsageError(`esinfer tf ${hook}: unknown hook (the synthesized stack runs ${HOOKS.join(", ")})`);
  const env = (name: string) => {
    const value = io.env[name];
    if (value === undefined)
      throw new UsageError(
        `esinfer tf ${hook}: ${name} is not set; this command is run by the Terraform resources esinfer synthesizes`,
      );
    return value;
  };
  const json = (name: string): unknown => {
    try {
      return JSON.parse(env(name));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`esinfer tf ${hook}: ${name} is not valid JSON: ${(e as Error).message}`);
    }
  };
  const lockTimeoutMs = durationMs(HOOK_LOCK_TIMEOUT_ENV, io.env[HOOK_LOCK_TIMEOUT_ENV] ?? DEFAULT_HOOK_LOCK_TIMEOUT);
  const timeout = io.env[HOOK_ENV.timeout] || undefined;
  const allowInUse = env(HOOK_ENV.allowInUse) === "true" || truthy(io.env[OPERATOR_ALLOW_IN_USE_ENV]);

  const target = targetOf(hook as HookCommand, env, json);
  const load = () =>
    stackOf(io, {
      stack: env(HOOK_ENV.stack),
      cluster: json(HOOK_ENV.connection),
      state: json(HOOK_ENV.state),
      endpoints: target.endpoints,
      absent: target.absent,
      projectDir: env(HOOK_ENV.projectDir),
    });
  return withSession(io, load, {}, async (session) => {
    const { result } = await applyWithProgress(
      io,
      session,
      {
        scope: target.scope,
        lockTimeoutMs,
        allowInUse,
        ...(timeout ? { createTimeout: timeout } : {}),
        confirm: async (plan) => {
          io.stdout.write(renderHuman(plan, { color: false }));
          return true;
        },
      },
      { live: false },
    );
    const failed = result?.outcomes.filter((o) => o.status === "failed") ?? [];
    if (!result || result.outcomes.length === 0) io.stdout.write(`esinfer: ${target.label}: no changes\n`);
    for (const f of failed) io.stderr.write(`esinfer: ${f.inference_id} (${f.action}) failed: ${f.error}\n`);
    return failed.length > 0 ? 1 : 0;
  });
}

interface Target {
  readonly label: string;
  readonly scope: PlanScope;
  readonly endpoints: unknown[];
  readonly absent: string[];
}

function targetOf(hook: HookCommand, env: (name: string) => string, json: (name: string) => unknown): Target {
  switch (hook) {
    case "reconcile": {
      const declaration = json(HOOK_ENV.declaration) as { inference_id?: unknown };
      const id = String(declaration?.inference_id);
      return { label: id, scope: { only: [id] }, endpoints: [declaration], absent: [] };
    }
    case "delete": {
      const id = env(HOOK_ENV.inferenceId);
      // Declared absent within its own scope: deleted when present, and forgotten by the state.
      return { label: id, scope: { only: [id] }, endpoints: [], absent: [id] };
    }
    case "prune": {
      const declared = stringList(json(HOOK_ENV.declared), HOOK_ENV.declared);
      const absent = stringList(json(HOOK_ENV.absent), HOOK_ENV.absent);
      return { label: "endpoints no longer declared", scope: { except: declared }, endpoints: [], absent };
    }
  }
}

function stackOf(
  io: Io,
  parts: {
    stack: string;
    cluster: unknown;
    state: unknown;
    endpoints: unknown[];
    absent: string[];
    projectDir: string;
  },
): Stack {
  const { stack, issues } = parseManifest(
    {
      stack: parts.stack,
      cluster: parts.cluster,
      endpoints: parts.endpoints,
      absent: parts.absent,
      state: parts.state,
    },
    { baseDir: resolve(io.cwd, parts.projectDir) },
  );
  if (!stack) throw new ValidationError(issues, `Invalid synthesized stack ${parts.stack} (synthesize it again)`);
  return stack;
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new UsageError(`${name} must be a JSON array of inference ids`);
  return value as string[];
}

const truthy = (v: string | undefined) => v !== undefined && ["1", "true", "yes"].includes(v.toLowerCase());
