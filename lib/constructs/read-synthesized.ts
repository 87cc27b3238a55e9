/**
 * Reading esinfer stacks back from a CDK for Terraform output directory (`cdktf.out`), so `esinfer plan`, `apply`
 * and `destroy` work on exactly what Terraform would apply. The one documented place each endpoint's canonical
 * declaration is written: the `declaration` trigger of its `settings` resource (see hook-contract.ts), a JSON
 * string escaped for Terraform. No cdktf here: reading needs only the JSON files.
 */
import { EsinferError } from "../errors";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { HOOK_KINDS, KIND_KEY, unescapeTerraform, type HookKind } from "./hook-contract";

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
    found.push(...stacksIn(readJson(file, `synthesized stack ${id}`), entry.name ?? id, file));
  }
  return found;
}

/** The esinfer stacks of one synthesized Terraform stack (its parsed `cdk.tf.json`, read from `file`). */
function stacksIn(terraform: unknown, terraformStack: string, file: string): SynthesizedStack[] {
  const stackDir = dirname(file);
  const resources = (terraform as { resource?: Record<string, Record<string, unknown>> })?.resource ?? {};
  const resourceCount = Object.values(resources).reduce((n, byName) => n + Object.keys(byName ?? {}).length, 0);
  const byStack = new Map<string, { stack?: Record<string, string>; endpoints: Record<string, string>[] }>();
  for (const type of ["terraform_data", "null_resource"]) {
    for (const [address, body] of Object.entries(resources[type] ?? {})) {
      const values = valuesOf(body);
      const kind = values[KIND_KEY] as HookKind | undefined;
      if (!kind || !HOOK_KINDS.includes(kind)) continue;
      const name = values.stack;
      if (!name) throw new SynthesizedStackError(`${type}.${address} in ${terraformStack} has no stack name`);
      const group = byStack.get(name) ?? { endpoints: [] };
      byStack.set(name, group);
      if (kind === "stack") group.stack = values;
      if (kind === "endpoint") group.endpoints.push(values);
    }
  }
  return [...byStack.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, group]) => {
      if (!group.stack)
        throw new SynthesizedStackError(`esinfer stack ${name} in ${terraformStack} has no stack resource`);
      const s = group.stack;
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
          endpoints: group.endpoints.map((e) => parse(e.declaration, `${name} declaration`)),
          absent: parse(s.absent, `${name} absent`),
          state: parse(s.state, `${name} state`),
        },
      };
    });
}

/** A resource's string values (identity and mutable ones), unescaped as Terraform hands them to the hooks. */
function valuesOf(body: unknown): Record<string, string> {
  const b = (body ?? {}) as { triggers?: unknown; triggers_replace?: unknown; input?: unknown };
  const out: Record<string, string> = {};
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
    const code = (e as NodeJS.ErrnoException).code;
    throw new SynthesizedStackError(
      `cannot read ${what} (${path}): ${code === "ENOENT" ? "no such file; synthesize the app first" : (e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SynthesizedStackError(`${what} (${path}) is not JSON: ${(e as Error).message}`);
  }
}
