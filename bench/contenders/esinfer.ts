/**
 * esinfer through its library API: a stack from a manifest, one session, `plan()` or `apply()`.
 *
 * The compiled library (`dist/`, which the runner builds first) is measured: it is what the CLI and the package run.
 * The TypeScript sources under tsx run about a quarter slower (its transform wraps every function it creates).
 */
import type { StackSession as Session } from "../../lib/engine";
import type { Contender, Outcome, ScenarioContext } from "../contender";
import type { Declaration } from "../declarations";

const { StackSession, checkSecrets, declaredEndpoints, parseManifest } =
  require("../../dist/engine") as typeof import("../../lib/engine");
const { endpointDigest } = require("../../dist/engine/live-digest") as typeof import("../../lib/engine/live-digest");
const { formatIssue } = require("../../dist/model") as typeof import("../../lib/model");

function open(declarations: readonly Declaration[], ctx: ScenarioContext): Session {
  // State: the default file backend, `.esinfer/state/bench.json` under the work directory.
  const { stack, issues } = parseManifest(
    { stack: "bench", cluster: { url: ctx.url }, endpoints: declarations },
    { baseDir: ctx.workDir },
  );
  if (!stack) throw new Error(issues.map(formatIssue).join("\n"));
  return new StackSession(stack, { env: ctx.env, esinferVersion: "bench", onNote: () => undefined });
}

export const esinfer: Contender = {
  async plan(declarations, ctx) {
    const session = open(declarations, ctx);
    try {
      const plan = await session.plan();
      const s = plan.summary;
      return {
        endpoints: s["no-op"],
        toCreate: s.create,
        summary: `${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s["no-op"]} unchanged`,
      };
    } finally {
      await session.close();
    }
  },

  async apply(declarations, ctx) {
    const session = open(declarations, ctx);
    try {
      const { result } = await session.apply({}); // parallelism: the default, 8
      if (!result) throw new Error("nothing applied");
      const failed = result.outcomes.filter((o) => o.status === "failed");
      if (failed.length > 0)
        throw new Error(`${failed.length} failed, e.g. ${failed[0]!.inference_id}: ${failed[0]!.error}`);
      const created = result.outcomes.filter((o) => o.action === "create").length;
      return { endpoints: created, summary: `${created} created` };
    } finally {
      await session.close();
    }
  },
};

/**
 * Setup of a big stack (not measured), for endpoints the runner created inside the emulator: writes the state an
 * apply of them would leave (each endpoint owned, its declaration and secret fingerprints recorded), in one write.
 * Creating 10,000 endpoints with `apply` takes half a minute at 20 ms per request, which the plan does not need.
 */
export async function seed(declarations: readonly Declaration[], ctx: ScenarioContext): Promise<Outcome> {
  const session = open(declarations, ctx);
  try {
    const state = await session.store.read();
    const declared = declaredEndpoints(session.stack);
    const secrets = checkSecrets(declared, state.salt, { env: ctx.env, baseDir: ctx.workDir });
    const now = new Date().toISOString();
    state.cluster_uuid = (await session.client.info()).clusterUuid;
    // An apply records the digest of what the cluster stored; the emulator stores what a GET returns.
    const live = new Map((await session.client.listEndpoints()).map((e) => [e.inference_id, endpointDigest(e)]));
    for (const { canonical } of declared)
      state.endpoints[canonical.inference_id] = {
        task_type: canonical.task_type,
        service: canonical.service,
        status: "applied",
        declared: JSON.parse(JSON.stringify(canonical)),
        secrets: { ...secrets.get(canonical.inference_id)?.fingerprints },
        ...(live.has(canonical.inference_id) ? { live: live.get(canonical.inference_id)! } : {}),
        updated_at: now,
      };
    await session.store.write(state);
    return { endpoints: declared.length, summary: `${declared.length} recorded as applied` };
  } finally {
    await session.close();
  }
}
