/**
 * The contract between what the constructs synthesize and the `esinfer tf <hook>` commands Terraform runs: which
 * Terraform resources an esinfer stack becomes, the keys of their triggers and inputs, and the environment
 * variables each hook reads. Also what `esinfer plan` reads back from a synthesized stack. No cdktf here: the
 * CLI loads this module without loading cdktf.
 *
 * Per ElasticsearchCluster (one esinfer stack):
 * - `cluster` resource: identity `{esinfer: "cluster", stack, cluster}`. Every endpoint's identity references its
 *   id, so pointing the stack at another cluster replaces every endpoint, and Terraform deletes them all from the
 *   old cluster before it creates any in the new one.
 * - `stack` resource: identity `{esinfer: "stack", stack, cluster_anchor, endpoints, absent}`; its create hook
 *   `prune` deletes what the stack owns but no longer declares (Terraform forgets a removed resource without
 *   running its destroy-time command) and every endpoint declared absent.
 * Per InferenceEndpoint:
 * - `identity` resource: `{esinfer: "identity", stack, cluster_anchor, inference_id, task_type, service}`; its
 *   destroy-time hook `delete` deletes the endpoint. A change of any of these deletes and re-creates.
 * - `settings` resource: `{esinfer: "endpoint", stack, identity, declaration}`; its create hook `reconcile` makes
 *   the cluster match the declaration: create, update in place when Elasticsearch can, replace only when it must.
 *   Its destroy does nothing, so a settings change never deletes the endpoint.
 * Every resource also carries the mutable values (connection, state, project directory, allow_in_use, timeout):
 * in `input` for terraform_data (updated in place), in `triggers` with `ignore_changes` for null_resource.
 */

/** The key that marks esinfer's resources, and what each one is. */
export const KIND_KEY = "esinfer";
export type HookKind = "cluster" | "stack" | "identity" | "endpoint";
export const HOOK_KINDS: readonly HookKind[] = ["cluster", "stack", "identity", "endpoint"];

/** Keys of the mutable values every esinfer resource carries (all strings). */
export const MUTABLE_KEYS = ["connection", "state", "project_dir", "allow_in_use", "timeout"] as const;
export type MutableKey = (typeof MUTABLE_KEYS)[number];

/** The Terraform resource types esinfer can synthesize. */
export type HookResourceType = "terraform_data" | "null_resource";

/** Environment variables the hooks read (set by the provisioners from `self`). */
export const HOOK_ENV = {
  /** The esinfer stack (state) name. */
  stack: "ESINFER_STACK",
  /** The cluster connection as JSON, credentials as `{"env": NAME}` references. */
  connection: "ESINFER_CLUSTER",
  /** The state backend as JSON: `{"backend": "file"}` or `{"backend": "cluster", "index"?: ...}`. */
  state: "ESINFER_STATE",
  /** The project directory (state file, relative secret files), relative to the working directory. */
  projectDir: "ESINFER_PROJECT_DIR",
  /** "true" to replace or delete endpoints that pipelines or indices use. */
  allowInUse: "ESINFER_TF_ALLOW_IN_USE",
  /** Server-side timeout of creates, e.g. "60s" (empty: the server's default). */
  timeout: "ESINFER_TIMEOUT",
  /** `reconcile`: the endpoint's canonical declaration as JSON (secrets as references). */
  declaration: "ESINFER_DECLARATION",
  /** `delete`: the endpoint to delete. */
  inferenceId: "ESINFER_INFERENCE_ID",
  /** `prune`: JSON arrays of the declared and the absent inference ids. */
  declared: "ESINFER_DECLARED",
  absent: "ESINFER_ABSENT",
} as const;

/**
 * Set by the operator (inherited from the environment Terraform runs in), not by the configuration: allows
 * replacing or deleting endpoints in use for this run, e.g. `ESINFER_ALLOW_IN_USE=1 terraform destroy`.
 */
export const OPERATOR_ALLOW_IN_USE_ENV = "ESINFER_ALLOW_IN_USE";

/** How long a hook waits for the stack's state lock (Terraform runs up to 10 hooks at once). */
export const HOOK_LOCK_TIMEOUT_ENV = "ESINFER_LOCK_TIMEOUT";
export const DEFAULT_HOOK_LOCK_TIMEOUT = "10m";

export type HookCommand = "reconcile" | "delete" | "prune";

/** What every hook reads besides its own inputs: where the cluster and the state are, and the in-use override. */
const SHARED_INPUTS = {
  [HOOK_ENV.connection]: "connection",
  [HOOK_ENV.state]: "state",
  [HOOK_ENV.projectDir]: "project_dir",
  [HOOK_ENV.allowInUse]: "allow_in_use",
};

/** Which value each hook's environment variable takes, by resource key. */
export const HOOK_INPUTS: Readonly<Record<HookCommand, Readonly<Record<string, string>>>> = {
  reconcile: {
    [HOOK_ENV.stack]: "stack",
    [HOOK_ENV.declaration]: "declaration",
    ...SHARED_INPUTS,
    [HOOK_ENV.timeout]: "timeout",
  },
  delete: { [HOOK_ENV.stack]: "stack", [HOOK_ENV.inferenceId]: "inference_id", ...SHARED_INPUTS },
  prune: { [HOOK_ENV.stack]: "stack", [HOOK_ENV.declared]: "endpoints", [HOOK_ENV.absent]: "absent", ...SHARED_INPUTS },
};

/**
 * Escapes a literal string for Terraform, which would otherwise interpolate `${...}` and `%{...}` in it (the
 * custom service's request templates are full of `${input}`). A replacer function, because a replacement string
 * `"$${"` means `"${"` in JavaScript.
 */
export function escapeTerraform(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** The inverse of `escapeTerraform`: what Terraform hands the hooks for an escaped string. */
export function unescapeTerraform(text: string): string {
  return text.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
