/**
 * `esinfer import --format typescript`: construct code for adopted endpoints, ready to paste into a stack where an
 * `ElasticsearchCluster` named `cluster` is in scope. Secrets become `secret.env(...)` references (the cluster never
 * returns them). Pasted as printed, the next plan shows no changes.
 */
import { isSecretRef, type SecretRef } from "../catalogue";
import type { ImportedEndpoint } from "../engine";
import { requestToDeclaration } from "../model";

export function importedToTypescript(imported: readonly ImportedEndpoint[]): string {
  const usesSecrets = imported.some((i) => i.secretEnv.length > 0);
  const lines = [
    `import { InferenceEndpoint${usesSecrets ? ", secret" : ""} } from "esinfer";`,
    "",
    "// In your TerraformStack, with `cluster` an ElasticsearchCluster:",
  ];
  for (const i of imported) {
    const declaration = requestToDeclaration(i.request);
    lines.push(
      `new InferenceEndpoint(this, ${JSON.stringify(i.request.inference_id)}, ${render({ cluster: CLUSTER, ...declaration }, 0)});`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Marks the `cluster` property, printed as the bare identifier. */
const CLUSTER = Symbol("cluster");

function render(value: unknown, depth: number): string {
  if (value === CLUSTER) return "cluster";
  if (isSecretRef(value)) return secretCall(value);
  const pad = "  ".repeat(depth + 1);
  const close = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => `${pad}${render(v, depth + 1)},`).join("\n")}\n${close}]`;
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${pad}${key(k)}: ${render(v, depth + 1)},`).join("\n")}\n${close}}`;
  }
  return JSON.stringify(value);
}

function secretCall(ref: SecretRef): string {
  return "env" in ref ? `secret.env(${JSON.stringify(ref.env)})` : `secret.file(${JSON.stringify(ref.file)})`;
}

/** Property names as TypeScript needs them: bare when they are identifiers, quoted otherwise (free-form maps). */
const key = (k: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k));
