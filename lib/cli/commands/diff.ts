/**
 * `esinfer diff`: two stacks compared endpoint by endpoint, the question a promotion pull request asks ("what will
 * prod get that staging has?"). The stacks are two manifests (`esinfer diff staging.json prod.json`) or two
 * synthesized stacks of the project's app (`esinfer diff --stack staging --stack prod`, synthesized first unless
 * `--no-synth`); the first is the left side (`-`), the second the right (`+`). With `--live`, each side is what its
 * cluster holds for the endpoints the stack declares (one `GET /_inference/_all` per cluster).
 *
 * Exit 0 when it ran; with `--detailed-exitcode`, 0 when the stacks are the same, 2 when they differ; 1 on error.
 */
import { relative } from "node:path";
import type { InferenceEndpoint } from "../../client";
import { declaredEndpoints, type Stack } from "../../engine";
import { diffStacks, hasDifferences, type DiffEndpoint, type DiffSide } from "../../engine/diff";
import { renderDiffHuman, renderDiffJson, renderDiffMarkdown } from "../../engine/render/diff";
import { EsinferError, isEsinferError } from "../../errors";
import { colors, UsageError, type Io } from "../io";
import { reporting } from "../problems";
import { newStackSession } from "../session";
import { loadStack } from "../stack-source";

export interface DiffCommandOptions {
  /** Two synthesized stacks, in order (repeatable `--stack`). */
  stack?: string[];
  synth?: boolean;
  live?: boolean;
  stripPrefix?: string[];
  format?: string;
  json?: boolean;
  detailedExitcode?: boolean;
  verbose?: boolean;
}

const FORMATS = ["human", "json", "markdown"];

/** A loaded side before it is read: the stack and where it came from. */
interface Loaded {
  readonly stack: Stack;
  /** `manifest staging.json` or `synthesized (cdktf.out/stacks/prod/cdk.tf.json)`. */
  readonly source: string;
  /** The manifest file as given, to tell two stacks of the same name apart. */
  readonly file?: string;
}

export async function run(io: Io, options: DiffCommandOptions, manifests: string[] = []): Promise<number> {
  const format = options.json ? "json" : (options.format ?? "human");
  if (!FORMATS.includes(format)) throw new UsageError(`--format ${format}: choose human, json or markdown`);
  const stacks = options.stack ?? [];
  if (!(manifests.length === 2 && stacks.length === 0) && !(manifests.length === 0 && stacks.length === 2))
    throw new UsageError(
      "esinfer diff compares two stacks: two manifests (esinfer diff staging.json prod.json) or two synthesized " +
        `stacks of the app (esinfer diff --stack staging --stack prod); got ${describeArguments(manifests, stacks)}`,
    );
  if (stacks.length === 2 && stacks[0] === stacks[1])
    throw new UsageError(`--stack ${stacks[0]} twice: name two different stacks`);

  return reporting(io, async () => {
    const loaded = manifests.length === 2 ? await loadManifests(io, manifests) : await loadSynthesized(io, options);
    const [left, right] = options.live
      ? await Promise.all(loaded.map((side) => readLive(io, side, options)))
      : loaded.map((side) => declared(side));
    const labels = sideLabels(loaded);
    const diff = diffStacks(
      { ...left!, label: labels[0] },
      { ...right!, label: labels[1] },
      { stripPrefixes: options.stripPrefix ?? [], live: options.live === true },
    );
    io.stdout.write(
      format === "json"
        ? renderDiffJson(diff)
        : format === "markdown"
          ? renderDiffMarkdown(diff)
          : renderDiffHuman(diff, { color: colors(io).isColorSupported }),
    );
    return options.detailedExitcode && hasDifferences(diff) ? 2 : 0;
  });
}

function describeArguments(manifests: readonly string[], stacks: readonly string[]): string {
  const parts = [
    manifests.length > 0 ? `${manifests.length} manifest${manifests.length === 1 ? "" : "s"}` : "",
    stacks.length > 0 ? `${stacks.length} --stack` : "",
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(" and ") : "neither";
}

async function loadManifests(io: Io, files: readonly string[]): Promise<Loaded[]> {
  return Promise.all(
    files.map(async (file) => ({ stack: await loadStack(io, { file }), source: `manifest ${file}`, file })),
  );
}

/** Both stacks from one synthesis of the app (`--no-synth`: none). */
async function loadSynthesized(io: Io, options: DiffCommandOptions): Promise<Loaded[]> {
  const { loadSynthesized: load } = await import("../synthesized");
  const [first, second] = options.stack!;
  const a = await load(io, { stack: first!, synth: options.synth !== false });
  const b = await load(io, { stack: second!, synth: false });
  return [a, b].map(({ stack, synthesized }) => ({
    stack,
    source: `synthesized (${relative(io.cwd, synthesized.file) || synthesized.file})`,
  }));
}

/** The stacks' names, or their files when both manifests name the same stack. */
function sideLabels(loaded: readonly Loaded[]): [string, string] {
  const [a, b] = loaded as [Loaded, Loaded];
  if (a.stack.name !== b.stack.name) return [a.stack.name, b.stack.name];
  const files = [a.file ?? "left", b.file ?? "right"];
  return files[0] !== files[1] ? [files[0]!, files[1]!] : ["left", "right"];
}

/** A side as its stack declares it: canonical declarations, secrets as references. */
function declared(side: Loaded): Omit<DiffSide, "label"> {
  return {
    stack: side.stack.name,
    source: side.source,
    endpoints: declaredEndpoints(side.stack).map((d) => d.canonical as DiffEndpoint),
  };
}

/** A side as its cluster holds the endpoints the stack declares (one listing of the cluster's endpoints). */
async function readLive(io: Io, side: Loaded, options: DiffCommandOptions): Promise<Omit<DiffSide, "label">> {
  const session = newStackSession(io, side.stack, { verbose: options.verbose });
  try {
    const live = await session.client.listEndpoints().catch((error: unknown) => {
      throw isEsinferError(error) ? new LiveReadError(side.stack.name, session.clusterUrl, error) : error;
    });
    const byId = new Map(live.map((e) => [e.inference_id, e]));
    const ids = side.stack.endpoints.map((e) => e.inference_id);
    return {
      stack: side.stack.name,
      source: `cluster ${session.clusterUrl}`,
      endpoints: ids.flatMap((id) => {
        const e = byId.get(id);
        return e ? [liveEndpoint(e)] : [];
      }),
      missing: ids.filter((id) => !byId.has(id)),
    };
  } finally {
    await session.close();
  }
}

function liveEndpoint(e: InferenceEndpoint): DiffEndpoint {
  return {
    inference_id: e.inference_id,
    task_type: e.task_type,
    service: e.service,
    service_settings: e.service_settings ?? {},
    task_settings: e.task_settings ?? {},
    ...(e.chunking_settings ? { chunking_settings: e.chunking_settings } : {}),
  };
}

/** Reading one side's cluster failed: which stack and cluster, then what the client said. */
export class LiveReadError extends EsinferError {
  constructor(stack: string, cluster: string, cause: EsinferError) {
    super(`reading the endpoints of stack ${stack} from ${cluster}: ${cause.message}`, {
      code: cause.code,
      exitCode: cause.exitCode,
      cause,
    });
  }
}
