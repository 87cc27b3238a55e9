/**
 * `esinfer demo` (`npm run demo`): the quickstart end to end. Without a configured cluster it starts the emulator;
 * with `ELASTICSEARCH_URL` (and credentials) it uses that cluster. Then: synthesize the quickstart app, plan,
 * apply, plan again (no changes), change one task setting and apply it in place, and show where each endpoint
 * stands.
 *
 * It needs no file of esinfer's repository: the quickstart app is compiled into the package
 * (`dist/demo/quickstart`, by `npm run build`) and synthesized in a temporary project directory, so the demo runs
 * the same from a clone and from `node_modules/esinfer`.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ENV } from "../../client";
import type { SynthesizedStack } from "../../constructs/read-synthesized";
import { describeCluster, type Plan, type StackSession } from "../../engine";
import { renderHuman } from "../../engine/render";
import { startEmulator, type Emulator } from "../../emulator";
import { colors, UsageError, type Io } from "../io";
import { reporting } from "../problems";
import { applyWithProgress } from "../progress";
import { installedPackage, peerRange } from "../../constructs/cdk-version";
import { loadSynthesized } from "../synthesized";
import { newStackSession } from "../session";

/** The esinfer package, and the quickstart app compiled into it (examples/quickstart). */
const PACKAGE_ROOT = resolve(__dirname, "..", "..", "..");
const QUICKSTART_APP = join(PACKAGE_ROOT, "dist", "demo", "quickstart", "main.js");
const PROVIDER_KEYS = ["OPENAI_API_KEY", "COHERE_API_KEY"] as const;
const CHANGED_ENDPOINT = "quickstart-cohere-rerank";

export async function run(io: Io): Promise<number> {
  const c = colors(io);
  const say = (text = "") => io.stdout.write(`${text}\n`);
  const step = (n: number, text: string) => say(`\n${c.bold(c.cyan(`${n}. ${text}`))}`);
  const env: Record<string, string | undefined> = { ...io.env };
  let emulator: Emulator | undefined;
  let session: StackSession | undefined;
  let project: string | undefined;
  return reporting(io, async () => {
    try {
      checkInstallation();
      if (env[ENV.url] || env[ENV.endpoints] || env[ENV.cloudId]) {
        const missing = PROVIDER_KEYS.filter((k) => !env[k]);
        if (missing.length > 0)
          throw new UsageError(
            `against a real cluster the quickstart's endpoints need their provider keys: set ${missing.join(" and ")}`,
          );
        // Where, never who: describeCluster drops credentials written into the URL.
        const where =
          env[ENV.url] !== undefined || env[ENV.endpoints] !== undefined ? describeCluster({}, env) : "Elastic Cloud";
        step(1, `Cluster: ${where} (from the environment)`);
      } else {
        emulator = await startEmulator();
        env[ENV.url] = emulator.url;
        // The emulator calls no provider: placeholder keys, still resolved and fingerprinted, never printed.
        for (const key of PROVIDER_KEYS) env[key] ??= `demo-${key.toLowerCase()}`;
        step(1, `Cluster: none configured, so the esinfer emulator at ${emulator.url}`);
        say(
          `   It behaves like Elasticsearch ${emulator.version}'s inference API. Set ELASTICSEARCH_URL (and ELASTICSEARCH_API_KEY,\n` +
            "   OPENAI_API_KEY, COHERE_API_KEY) to run this demo against your own cluster.",
        );
      }
      project = demoProject();
      const demoIo: Io = { ...io, env, cwd: project };
      const show = (plan: Plan) => io.stdout.write(indent(renderHuman(plan, { color: c.isColorSupported })));

      step(2, "Synthesize the quickstart app (examples/quickstart, CDK for Terraform) in a temporary project");
      const first = await loadSynthesized(demoIo, { synth: true });
      let stack = first.stack;
      say(`   ${describeSynthesis(stack.endpoints.length, first.synthesized)}`);
      session = newStackSession(demoIo, stack);

      step(3, "Plan");
      // One plan, made under the lock by the apply: shown before anything changes.
      await planAndApply(session, io, (plan) => {
        show(plan);
        step(4, "Apply");
      });

      step(5, "Plan again: the cluster matches the declarations");
      show(await session.plan());

      step(
        6,
        `Change one task setting: ${CHANGED_ENDPOINT} top_n 10 -> 5 (context rerankTopN=5), synthesize, plan, apply`,
      );
      await session.close();
      ({ stack } = await loadSynthesized(demoIo, { synth: true, context: { rerankTopN: 5 } }));
      session = newStackSession(demoIo, stack);
      emulator?.requests.clear();
      await planAndApply(session, io, show);
      if (emulator) {
        // The endpoint writes only (the stack's state document is written too).
        const writes = emulator.requests
          .list()
          .filter((r) => (r.method === "PUT" || r.method === "DELETE") && r.path.startsWith("/_inference/"));
        const deleted = writes.some((r) => r.method === "DELETE");
        say(
          `   Sent to the cluster: ${writes.map((r) => `${r.method} ${r.path}`).join(", ")}${deleted ? "" : " (no DELETE: updated in place)"}`,
        );
      }

      step(7, "Where each endpoint stands");
      await status(session, io);
      say(
        emulator
          ? "\nThe emulator stops with the demo. Next: esinfer emulator --port 9200, then the same with esinfer plan / apply,\nor terraform (see the README)."
          : `\nThe endpoints stay in your cluster; remove them with: cd ${shellQuote(project)} && ${shellQuote(process.execPath)} ${shellQuote(join(PACKAGE_ROOT, "bin", "esinfer.js"))} destroy`,
      );
      return 0;
    } finally {
      await session?.close();
      await emulator?.stop();
      // Against a real cluster the project stays: `esinfer destroy` there removes what the demo created.
      if (project && emulator) rmSync(project, { recursive: true, force: true });
    }
  });
}

/**
 * Applies the stack, calling `beforeApply` with the plan (made under the lock) before anything changes, or with the
 * plan that had nothing to change.
 */
async function planAndApply(session: StackSession, io: Io, beforeApply: (plan: Plan) => void): Promise<void> {
  let shown = false;
  const once = (plan: Plan) => {
    if (!shown) beforeApply(plan);
    shown = true;
  };
  const { plan, result } = await applyWithProgress(io, session, {
    confirm: async (fresh) => {
      once(fresh);
      return true;
    },
  });
  once(plan); // confirm is not called when there is nothing to change
  const failed = result?.outcomes.filter((o) => o.status === "failed") ?? [];
  if (failed.length > 0)
    throw new UsageError(`the apply failed for ${failed.map((f) => `${f.inference_id} (${f.error})`).join("; ")}`);
}

/** One line per declared endpoint: in the cluster, in sync, and its main settings. */
async function status(session: StackSession, io: Io): Promise<void> {
  const [plan, live] = await Promise.all([session.plan(), session.client.listEndpoints()]);
  const byId = new Map(live.map((e) => [e.inference_id, e]));
  const rows = plan.endpoints.map((e) => {
    const l = byId.get(e.inference_id);
    const s = (l?.service_settings ?? {}) as Record<string, unknown>;
    const settings = [
      s.model_id !== undefined ? `model ${String(s.model_id)}` : "",
      l?.task_settings && Object.keys(l.task_settings).length > 0 ? `task ${JSON.stringify(l.task_settings)}` : "",
      l?.chunking_settings ? `chunking ${JSON.stringify(l.chunking_settings)}` : "",
    ].filter(Boolean);
    return [
      e.inference_id,
      `${e.service} ${e.task_type}`,
      l ? "in the cluster" : "missing",
      e.action === "no-op" ? "in sync" : `${e.action} pending`,
      settings.join(", "),
    ];
  });
  const header = ["endpoint", "service / task type", "where", "state", "settings"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `   ${cells.map((cell, i) => (i < cells.length - 1 ? cell.padEnd(widths[i]!) : cell)).join("  ")}`;
  io.stdout.write(`${[line(header), ...rows.map(line)].join("\n")}\n`);
}

function describeSynthesis(endpoints: number, synthesized: SynthesizedStack): string {
  const { name, resources, file } = synthesized;
  return `Stack ${name}: ${endpoints} endpoints, ${resources} Terraform resources in ${file}`;
}

/** The compiled quickstart and the CDK for Terraform runtime it needs, or an error that says what to do. */
function checkInstallation(): void {
  if (!existsSync(QUICKSTART_APP))
    throw new UsageError(`the demo's app is not built (${QUICKSTART_APP}): run npm run build in ${PACKAGE_ROOT}`);
  if (!installedPackage("cdktf", PACKAGE_ROOT))
    throw new UsageError(
      `the demo synthesizes a CDK for Terraform app, and cdktf is not installed: ` +
        `npm install --save-dev cdktf@"${peerRange("cdktf")}" constructs@"${peerRange("constructs")}"`,
    );
}

/** A temporary CDK for Terraform project whose app is the compiled quickstart (run with this Node). */
function demoProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "esinfer-demo-"));
  const app = `${shellQuote(process.execPath)} ${shellQuote(QUICKSTART_APP)}`;
  writeFileSync(join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app }, null, 2) + "\n");
  return dir;
}

/** A path as one word for the shell that runs cdktf.json's app (sh, or cmd.exe on Windows). */
function shellQuote(path: string): string {
  return process.platform === "win32" ? `"${path}"` : `'${path.replace(/'/g, `'\\''`)}'`;
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => (l ? `   ${l}` : l))
    .join("\n");
