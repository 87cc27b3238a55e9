/**
 * Reading esinfer stacks back from a CDK for Terraform output directory (`cdktf.out`), so `esinfer plan`, `apply`
 * and `destroy` work on exactly what Terraform would apply, and so that the runner's hook applies exactly what
 * Terraform planned. The one documented place each endpoint's canonical declaration is written: the `declaration`
 * input of its record (see hook-contract.ts), a JSON string escaped for Terraform. No cdktf here: reading needs
 * only the JSON files.
 */
import { EsinferError } from "../errors";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  HOOK_KINDS,
  KIND_KEY,
  RECORD_KEYS,
  unescapeTerraform,
  type HookKind,
  type RecordValues,
} from "./hook-contract";
import { stackDigest } from "./stack-digest";
import { describeReadError } from "../model/read-error";

/** One esinfer stack found in a synthesized Terraform stack, as a manifest (request-shaped, secrets as references). */
export interface SynthesizedStack {
  /** The esinfer stack name. */
  readonly name: string;
  /** The TerraformStack it was synthesized into, that stack's directory and its synthesized file (`cdk.tf.json`). */
  readonly terraformStack: string;
  readonly stackDir: string;
  readonly file: string;
  /** Resources in that file, of every type and stack (what `terraform apply` works on). */
  readonly resources: number;
  /** The directory the app was synthesized from (state file and relative secret files are resolved against it). */
  readonly projectDir: string;
  /** `{stack, cluster, endpoints, absent, state}`, for `parseManifest`. */
  readonly manifest: {
    readonly stack: string;
    readonly cluster: unknown;
    readonly endpoints: unknown[];
    readonly absent: unknown;
    readonly state: unknown;
  };
  /** Each endpoint's record, by inference id, as Terraform hands its values over (unescaped). */
  readonly records: ReadonlyMap<string, RecordValues>;
  /** The digest of the records and tombstones (what the runner's identity carries when nothing changed since). */
  readonly digest: string;
}

export class SynthesizedStackError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_SYNTHESIZED_STACK" });
  }
}

interface CdktfManifest {
  readonly stacks?: Record<string, { readonly name?: string; readonly synthesizedStackPath?: string }>;
}

/** Every esinfer stack in the output directory, in the order of the Terraform stacks, then by name. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifestPath = join(outdir, "manifest.json");
  const manifest = readJson(manifestPath, "the CDK for Terraform manifest") as CdktfManifest;
  const found: SynthesizedStack[] = [];
  for (const [id, entry] of Object.entries(manifest.stacks ?? {})) {
    const file = resolve(outdir, entry.synthesizedStackPath ?? join("stacks", id, "cdk.tf.json"));
    if (!file.endsWith(".json"))
      throw new SynthesizedStackError(
        `stack ${id} was synthesized as HCL (${file}); esinfer reads the JSON synthesis: remove hclOutput`,
      );
    found.push(...readSynthesizedFile(file, entry.name ?? id));
  }
  return found;
}

/**
 * The esinfer stacks of one synthesized file (`cdk.tf.json`): what the runner's hook reads from its working
 * directory. `terraformStack` names it in messages.
 */
export function readSynthesizedFile(file: string, terraformStack: string): SynthesizedStack[] {
  return stacksIn(readJson(file, `synthesized stack ${terraformStack}`), terraformStack, file);
}

/**
 * The `last_drift` of each endpoint of stack `name` in a synthesized file; empty when there is no such file (or it
 * cannot be read: this only keeps markers stable across syntheses that make no lookup).
 */
export function readDriftMarkers(file: string, name: string): ReadonlyMap<string, string> {
  let terraform: unknown;
  try {
    terraform = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return new Map();
  }
  const markers = new Map<string, string>();
  for (const { values } of esinferResources(terraform))
    if (values[KIND_KEY] === "endpoint" && values.stack === name && values.inference_id !== undefined)
      markers.set(values.inference_id, values.last_drift ?? "");
  return markers;
}

/** esinfer's resources in a parsed synthesized file, with their values (of either resource type). */
function esinferResources(terraform: unknown): { address: string; values: Record<string, string> }[] {
  const resources = (terraform as { resource?: Record<string, Record<string, unknown>> })?.resource ?? {};
  return ["terraform_data", "null_resource"].flatMap((type) =>
    Object.entries(resources[type] ?? {}).flatMap(([name, body]) => {
      const values = valuesOf(body);
      const kind = values[KIND_KEY] as HookKind | undefined;
      return kind && HOOK_KINDS.includes(kind) ? [{ address: `${type}.${name}`, values }] : [];
    }),
  );
}

/** The esinfer stacks of one synthesized Terraform stack (its parsed `cdk.tf.json`, read from `file`). */
function stacksIn(terraform: unknown, terraformStack: string, file: string): SynthesizedStack[] {
  const stackDir = dirname(file);
  const resources = (terraform as { resource?: Record<string, Record<string, unknown>> })?.resource ?? {};
  const resourceCount = Object.values(resources).reduce((n, byName) => n + Object.keys(byName ?? {}).length, 0);
  const byStack = new Map<string, { runner?: Record<string, string>; records: Map<string, RecordValues> }>();
  for (const { address, values } of esinferResources(terraform)) {
    const name = values.stack;
    if (!name) throw new SynthesizedStackError(`${address} in ${terraformStack} has no stack name`);
    const group = byStack.get(name) ?? { records: new Map<string, RecordValues>() };
    byStack.set(name, group);
    if (values[KIND_KEY] === "apply") group.runner = values;
    if (values[KIND_KEY] === "endpoint") {
      const missing = RECORD_KEYS.filter((k) => values[k] === undefined);
      if (missing.length > 0 || values.inference_id === undefined)
        throw new SynthesizedStackError(
          `${address} in ${terraformStack} is not an endpoint record of this esinfer version (no ${[...missing, ...(values.inference_id === undefined ? ["inference_id"] : [])].join(", ")}): synthesize the app again`,
        );
      group.records.set(
        values.inference_id,
        Object.fromEntries(RECORD_KEYS.map((k) => [k, values[k]!])) as Record<keyof RecordValues, string>,
      );
    }
  }
  return [...byStack.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, group]) => {
      if (!group.runner)
        throw new SynthesizedStackError(
          `esinfer stack ${name} in ${terraformStack} has no runner resource (an older esinfer synthesized it?): synthesize the app again`,
        );
      const s = group.runner;
      const absent = parse(s.absent, `${name} absent`);
      return {
        name,
        terraformStack,
        stackDir,
        file,
        resources: resourceCount,
        projectDir: resolve(stackDir, s.project_dir ?? "."),
        manifest: {
          stack: name,
          cluster: parse(s.connection, `${name} connection`),
          endpoints: [...group.records.values()].map((r) => parse(r.declaration, `${name} declaration`)),
          absent,
          state: parse(s.state, `${name} state`),
        },
        records: group.records,
        digest: stackDigest(
          [...group.records.values()],
          Array.isArray(absent) ? absent.filter((a): a is string => typeof a === "string") : [],
        ),
      };
    });
}

/** A resource's string values (identity and mutable ones), unescaped as Terraform hands them to the hooks. */
function valuesOf(body: unknown): Record<string, string> {
  const b = (body ?? {}) as { triggers?: unknown; triggers_replace?: unknown; input?: unknown };
  // Null prototype: the keys come from a file (a hand-edited `__proto__` is a key like any other).
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of [b.triggers, b.triggers_replace, b.input])
    if (part && typeof part === "object")
      for (const [k, v] of Object.entries(part)) if (typeof v === "string") out[k] = unescapeTerraform(v);
  return out;
}

function parse(text: string | undefined, what: string): unknown {
  if (text === undefined) throw new SynthesizedStackError(`${what} is missing from the synthesized stack`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SynthesizedStackError(`${what} in the synthesized stack is not JSON: ${(e as Error).message}`);
  }
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const hint = (e as NodeJS.ErrnoException).code === "ENOENT" ? "; synthesize the app first" : "";
    throw new SynthesizedStackError(`cannot read ${what} (${path}): ${describeReadError(e)}${hint}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SynthesizedStackError(`${what} (${path}) is not JSON: ${(e as Error).message}`);
  }
}
