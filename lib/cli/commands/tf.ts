/**
 * `esinfer tf <hook>`: what the synthesized Terraform resources run, and the lookup the constructs make when the app
 * synthesizes (hidden from `--help`; see lib/constructs/hook-contract.ts and docs/terraform.md). Values arrive as
 * environment variables set from `self`; credentials only as references resolved from the environment Terraform
 * runs in.
 * - `apply` (the runner's create hook): the engine's apply of the whole stack, from the records of the synthesized
 *   file in the working directory, once their digest is checked against the one Terraform planned with.
 * - `destroy` (the anchor's destroy-time hook): delete every endpoint the stack owns.
 * - `lookup` (synthesis): each endpoint's drift marker, for the request read from stdin; changes nothing.
 * The hooks stop gracefully on SIGINT/SIGTERM, and when Terraform is gone or their output is closed, so no esinfer
 * process outlives the Terraform run (lib/cli/interrupt.ts).
 */
import { resolve } from "node:path";
import { EsinferError } from "../../errors";
import { driftMarkers } from "../../constructs/drift";
import {
  DEFAULT_HOOK_LOCK_TIMEOUT,
  HOOK_ENV,
  HOOK_LOCK_TIMEOUT_ENV,
  OPERATOR_ALLOW_IN_USE_ENV,
  SYNTHESIZED_FILE,
  isOn,
} from "../../constructs/hook-contract";
import type { LookupAnswer, LookupRequest } from "../../constructs/lookup";
import { SynthesizedStackError, readSynthesizedFile } from "../../constructs/read-synthesized";
import {
  StackSession,
  checkSecrets,
  declaredEndpoints,
  describeReferences,
  parseManifest,
  readLiveState,
  type ApplyEvent,
  type EndpointPlan,
  type Plan,
  type Stack,
} from "../../engine";
import { parseTimeValue } from "../../client";
import { ValidationError } from "../../model";
import { UsageError, readStream, type Io } from "../io";
import { reporting } from "../problems";
import { describeEvent } from "../progress";
import { cannotConnect, durationMs, withInterruptibleSession } from "../session";
import { VERSION } from "../version";

const HOOKS = ["apply", "destroy", "lookup"] as const;
type Hook = (typeof HOOKS)[number];

export async function run(io: Io, _options: unknown, hook: string): Promise<number> {
  switch (hook as Hook) {
    case "apply":
      return applyHook(io);
    case "destroy":
      return destroyHook(io);
    case "lookup":
      return reporting(io, () => lookup(io));
    default:
      return reporting(io, async () => {
        throw new UsageError(`esinfer tf ${hook}: unknown hook (the synthesized stack runs ${HOOKS.join(", ")})`);
      });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// apply: the runner

async function applyHook(io: Io): Promise<number> {
  return reporting(io, async () => {
    const { stack, records, options } = runnerContext(io);
    return withInterruptibleSession(
      io,
      () => stack,
      {},
      async (session, interruption) => {
        io.stdout.write(
          `esinfer: applying stack ${stack.name} (${count(stack.endpoints.length, "endpoint")} declared` +
            `${stack.absent.length > 0 ? `, ${stack.absent.length} declared absent` : ""}) at ${session.clusterUrl}\n`,
        );
        const allowed = (id: string) =>
          options.operatorAllows || (records.get(id)?.allow_in_use ?? String(options.clusterAllows)) === "true";
        const { result } = await session.apply({
          lockTimeoutMs: options.lockTimeoutMs,
          // Each endpoint's own allowInUse is checked before anything is sent (refuseInUse): the engine may force
          // exactly the endpoints that pass.
          allowInUse: true,
          ...(options.createTimeout ? { createTimeout: options.createTimeout } : {}),
          markers: new Map([...records].map(([id, r]) => [id, r.last_drift])),
          stop: interruption.stop,
          confirm: async (plan) => {
            refuseInUse(plan, allowed, "apply");
            io.stdout.write(`esinfer: ${planSummary(plan)}\n`);
            for (const e of inUse(plan))
              io.stdout.write(
                `! ${e.inference_id}: used by ${describeReferences(e.references!)}: sending force=true (allowInUse)\n`,
              );
            return true;
          },
          onEvent: printEvent(io),
        });
        return report(io, stack.name, result, "apply");
      },
      { watchParent: true },
    );
  });
}

/** What the runner applies: the stack of the synthesized file, checked against what Terraform planned. */
function runnerContext(io: Io) {
  const env = hookEnv(io, "apply");
  const name = env.text(HOOK_ENV.stack);
  const file = resolve(io.cwd, SYNTHESIZED_FILE);
  let synthesized;
  try {
    synthesized = readSynthesizedFile(file, name).find((s) => s.name === name);
  } catch (e) {
    if (e instanceof SynthesizedStackError) throw new UsageError(`esinfer tf apply: ${e.message}`);
    throw e;
  }
  if (!synthesized)
    throw new UsageError(
      `esinfer tf apply: ${file} has no esinfer stack ${name}: Terraform runs this hook in the stack's directory (cdktf.out/stacks/<stack>), where the synthesized file is`,
    );
  if (synthesized.digest !== env.text(HOOK_ENV.digest))
    throw new UsageError(
      `esinfer tf apply: stack ${name}: ${file} changed since Terraform planned this apply (its endpoint records or ` +
        "tombstones differ from the plan's): nothing was applied. Synthesize, then plan and apply again.",
    );
  const records = synthesized.records;
  const timeouts = [...records].flatMap(([id, r]) => {
    if (r.timeout === "") return [];
    const ms = parseTimeValue(r.timeout);
    if (ms === undefined)
      throw new UsageError(
        `esinfer tf apply: ${id}: timeout "${r.timeout}" in ${file} is not a duration (e.g. 30s, 2m)`,
      );
    return [{ text: r.timeout, ms }];
  });
  return {
    stack: stackOf(io, {
      name,
      cluster: env.json(HOOK_ENV.connection),
      state: env.json(HOOK_ENV.state),
      endpoints: synthesized.manifest.endpoints,
      absent: synthesized.manifest.absent,
      projectDir: env.text(HOOK_ENV.projectDir),
    }),
    records,
    options: {
      ...env.common(),
      // One apply, one create timeout: the longest any endpoint asks for (a timeout is how long to wait at most).
      createTimeout: timeouts.sort((a, b) => b.ms - a.ms)[0]?.text,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// destroy: the anchor's destroy-time hook

async function destroyHook(io: Io): Promise<number> {
  return reporting(io, async () => {
    const env = hookEnv(io, "destroy");
    const { clusterAllows, operatorAllows, lockTimeoutMs } = env.common();
    const stack = stackOf(io, {
      name: env.text(HOOK_ENV.stack),
      cluster: env.json(HOOK_ENV.connection),
      state: env.json(HOOK_ENV.state),
      endpoints: [],
      absent: [],
      projectDir: env.text(HOOK_ENV.projectDir),
    });
    return withInterruptibleSession(
      io,
      () => stack,
      {},
      async (session, interruption) => {
        io.stdout.write(`esinfer: deleting every endpoint stack ${stack.name} owns at ${session.clusterUrl}\n`);
        const { result } = await session.apply({
          destroy: true,
          lockTimeoutMs,
          allowInUse: true,
          stop: interruption.stop,
          confirm: async (plan) => {
            refuseInUse(plan, () => clusterAllows || operatorAllows, "destroy");
            io.stdout.write(`esinfer: ${planSummary(plan)}\n`);
            return true;
          },
          onEvent: printEvent(io),
        });
        return report(io, stack.name, result, "destroy");
      },
      { watchParent: true },
    );
  });
}

// ---------------------------------------------------------------------------------------------------------------
// lookup: drift markers for a synthesis

/** Requests to a cluster that does not answer give up soon: synthesis waits for this. */
const LOOKUP_CLIENT = { maxRetries: 1, requestTimeoutMs: 15_000, maxRetryTimeMs: 20_000 };

async function lookup(io: Io): Promise<number> {
  let request: LookupRequest;
  try {
    request = JSON.parse(await readStream(io.stdin)) as LookupRequest;
  } catch (e) {
    throw new UsageError(`esinfer tf lookup: the request on stdin is not JSON: ${(e as Error).message}`);
  }
  if (
    typeof request?.stack !== "string" ||
    typeof request.project_dir !== "string" ||
    !Array.isArray(request.endpoints)
  )
    throw new UsageError("esinfer tf lookup: the request on stdin needs stack, project_dir and endpoints");
  const stack = stackOf(io, {
    name: request.stack,
    cluster: request.cluster,
    state: request.state,
    endpoints: request.endpoints,
    absent: request.absent,
    projectDir: request.project_dir,
  });
  let session: StackSession;
  try {
    session = new StackSession(stack, {
      env: io.env,
      esinferVersion: VERSION,
      onNote: () => undefined,
      client: { ...LOOKUP_CLIENT, warn: () => undefined },
    });
  } catch (error) {
    throw cannotConnect(error, stack.name);
  }
  try {
    // Reads only: no lock, nothing written (a synthesis must never change the cluster or the state).
    const [state, live] = await Promise.all([session.store.read(), readLiveState(session.client, session.clusterUrl)]);
    const declared = declaredEndpoints(stack);
    const secrets = checkSecrets(declared, state.salt, { env: io.env, baseDir: stack.baseDir });
    const answer: LookupAnswer = { markers: [...driftMarkers({ declared, state, live, secrets })] };
    io.stdout.write(`${JSON.stringify(answer)}\n`);
    return 0;
  } finally {
    await session.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// shared

/** A replace or delete refused because something uses the endpoint and its `allowInUse` is not set. */
export class InUseRefusedError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_APPLY_REFUSED" });
  }
}

const inUse = (plan: Plan) =>
  plan.endpoints.filter(
    (e) =>
      (e.action === "replace" || e.action === "delete") &&
      e.references !== undefined &&
      (e.references.pipelines.length > 0 || e.references.indexes.length > 0),
  );

/**
 * Refuses the whole apply, before anything is sent, when an endpoint in use would be replaced or deleted without
 * its `allowInUse`; the remedy is said in Terraform's terms (a construct prop, or the operator's variable).
 */
function refuseInUse(plan: Plan, allowed: (id: string) => boolean, hook: "apply" | "destroy"): void {
  const refused = inUse(plan).filter((e) => !allowed(e.inference_id));
  if (refused.length === 0) return;
  const declared = new Set(plan.endpoints.filter((e) => e.declared).map((e) => e.inference_id));
  const where = (e: EndpointPlan) =>
    hook === "apply" && declared.has(e.inference_id)
      ? `on its InferenceEndpoint (or on the ElasticsearchCluster)`
      : `on the ElasticsearchCluster`;
  const what = refused.map(
    (e) =>
      `${e.action} ${e.inference_id} (used by ${describeReferences(e.references!)}; to allow it, set allowInUse: true ${where(e)})`,
  );
  const once =
    hook === "apply"
      ? `${OPERATOR_ALLOW_IN_USE_ENV}=1 terraform apply`
      : `${OPERATOR_ALLOW_IN_USE_ENV}=1 terraform destroy (or terraform apply, when the stack moves to another cluster)`;
  throw new InUseRefusedError(
    `stack ${plan.stack}: refusing to ${what.join("; ")}: deleting an endpoint breaks what uses it, so nothing was ` +
      `changed. Set allowInUse and apply again (force=true is then sent), or allow it for one run: ${once}.`,
  );
}

/** One line per endpoint finished (Terraform prefixes each with the resource's address). */
function printEvent(io: Io): (event: ApplyEvent) => void {
  return (event) => {
    if (event.kind !== "done" && event.kind !== "failed") return;
    const { symbol, text } = describeEvent(event);
    io.stdout.write(`${symbol} ${text}\n`);
  };
}

function planSummary(plan: Plan): string {
  const s = plan.summary;
  return (
    `stack ${plan.stack}: ${s.create} to create, ${s.update} to update in place, ${s.replace} to replace, ` +
    `${s.delete} to delete; ${s["no-op"]} unchanged`
  );
}

/** The end of the hook's output (the part Terraform quotes when the hook fails): what failed or was not started. */
function report(
  io: Io,
  stack: string,
  result: Awaited<ReturnType<StackSession["apply"]>>["result"],
  hook: "apply" | "destroy",
): number {
  const outcomes = result?.outcomes ?? [];
  if (outcomes.length === 0) {
    io.stdout.write(`esinfer: stack ${stack}: no changes\n`);
    return 0;
  }
  const failed = outcomes.filter((o) => o.status === "failed");
  const notStarted = outcomes.filter((o) => o.status === "not-started");
  const done = outcomes.length - failed.length - notStarted.length;
  io.stdout.write(`esinfer: stack ${stack}: ${count(done, "endpoint")} done, ${failed.length} failed\n`);
  if (notStarted.length > 0)
    io.stderr.write(
      `esinfer: interrupted: not started: ${notStarted.map((o) => `${o.inference_id} (${o.action})`).join(", ")}; ` +
        `the next terraform ${hook} carries on\n`,
    );
  for (const f of failed) io.stderr.write(`esinfer: ${f.inference_id} (${f.action}) failed: ${f.error}\n`);
  if (failed.length > 0)
    io.stderr.write(
      `esinfer: stack ${stack}: ${failed.length} of ${outcomes.length} endpoints failed (${failed.map((f) => f.inference_id).join(", ")}); ` +
        `the next terraform ${hook} retries them\n`,
    );
  return failed.length > 0 || notStarted.length > 0 ? 1 : 0;
}

/** The hook's environment: each variable named when missing or malformed. */
function hookEnv(io: Io, hook: string) {
  const text = (name: string) => {
    const value = io.env[name];
    if (value === undefined)
      throw new UsageError(
        `esinfer tf ${hook}: ${name} is not set; this command is run by the Terraform resources esinfer synthesizes`,
      );
    return value;
  };
  const json = (name: string): unknown => {
    try {
      return JSON.parse(text(name));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`esinfer tf ${hook}: ${name} is not valid JSON: ${(e as Error).message}`);
    }
  };
  const common = () => ({
    lockTimeoutMs: durationMs(HOOK_LOCK_TIMEOUT_ENV, io.env[HOOK_LOCK_TIMEOUT_ENV] ?? DEFAULT_HOOK_LOCK_TIMEOUT),
    clusterAllows: text(HOOK_ENV.allowInUse) === "true",
    operatorAllows: isOn(io.env[OPERATOR_ALLOW_IN_USE_ENV]),
  });
  return { text, json, common };
}

function stackOf(
  io: Io,
  parts: {
    name: string;
    cluster: unknown;
    state: unknown;
    endpoints: readonly unknown[];
    absent: unknown;
    projectDir: string;
  },
): Stack {
  const { stack, issues } = parseManifest(
    {
      stack: parts.name,
      cluster: parts.cluster,
      endpoints: parts.endpoints,
      absent: parts.absent ?? [],
      state: parts.state,
    },
    { baseDir: resolve(io.cwd, parts.projectDir) },
  );
  if (!stack) throw new ValidationError(issues, `Invalid synthesized stack ${parts.name} (synthesize it again)`);
  return stack;
}

const count = (n: number, noun: string) => `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
