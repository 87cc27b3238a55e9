/**
 * The contract between what the constructs synthesize and the `esinfer tf <hook>` commands Terraform runs: which
 * Terraform resources an esinfer stack becomes, the keys of their triggers and inputs, and the environment
 * variables each hook reads. Also what `esinfer plan` reads back from a synthesized stack. No cdktf here: the
 * CLI loads this module without loading cdktf. docs/terraform.md explains the design.
 *
 * Per ElasticsearchCluster (one esinfer stack):
 * - `cluster` resource (the anchor): identity `{esinfer: "cluster", stack, cluster}`. Its destroy-time hook
 *   `destroy` deletes every endpoint the stack owns: on `terraform destroy`, and when the stack is pointed at
 *   another cluster or renamed (the anchor is replaced, and every resource below with it).
 * - `apply` resource (the runner): identity `{esinfer: "apply", stack, cluster_anchor, digest, absent}`, where
 *   `digest` covers every endpoint record and the tombstones, so it is replaced whenever any of them changes. Its
 *   create hook `apply` runs the engine's apply for the whole stack (creates, in-place updates, replaces, deletes
 *   of endpoints no longer declared, tombstones), reading the records from the synthesized `cdk.tf.json` after
 *   checking that their digest is still the one Terraform planned with. No destroy-time hook: a replaced runner
 *   must not delete anything.
 * Per InferenceEndpoint:
 * - `endpoint` resource (a record, no hook): identity `{esinfer: "endpoint", stack, cluster_anchor, inference_id,
 *   task_type, service}` (a change replaces the record: Terraform shows the endpoint's replacement); input
 *   `{declaration, last_drift, allow_in_use, timeout}` (a change is an in-place update with a field diff). Records
 *   depend on the runner: Terraform writes them only once the runner's apply succeeded, so a record never claims
 *   an endpoint that an interrupted or failed apply did not make.
 * The anchor and the runner also carry where esinfer finds the cluster and the state (connection, state, project
 * directory, allow_in_use): in `input` for terraform_data (updated in place), in `triggers` with `ignore_changes`
 * for null_resource, where everything else is in `triggers` too (so a record's change is a replacement there).
 */

/** The key that marks esinfer's resources, and what each one is. */
export const KIND_KEY = "esinfer";
export type HookKind = "cluster" | "apply" | "endpoint";
export const HOOK_KINDS: readonly HookKind[] = ["cluster", "apply", "endpoint"];

/** Keys of the values the anchor and the runner carry, updated in place: where the cluster and the state are. */
export const CONNECTION_KEYS = ["connection", "state", "project_dir", "allow_in_use"] as const;
export type ConnectionKey = (typeof CONNECTION_KEYS)[number];

/** Keys of an endpoint record's input (all strings). */
export const RECORD_KEYS = ["declaration", "last_drift", "allow_in_use", "timeout"] as const;
export type RecordKey = (typeof RECORD_KEYS)[number];
export type RecordValues = Readonly<Record<RecordKey, string>>;
/** Record keys whose change never replaces a null_resource record (options of the apply, not the endpoint). */
export const RECORD_OPTION_KEYS: readonly RecordKey[] = ["allow_in_use", "timeout"];

/** `last_drift` of an endpoint in which no change outside Terraform was ever seen. */
export const NO_DRIFT = "none";

/** The Terraform resource types esinfer can synthesize. */
export type HookResourceType = "terraform_data" | "null_resource";

/** The synthesized file Terraform applies, in the stack directory (the hooks' working directory). */
export const SYNTHESIZED_FILE = "cdk.tf.json";

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
  /** "true" to replace or delete endpoints that pipelines or indices use (the cluster's `allowInUse`). */
  allowInUse: "ESINFER_TF_ALLOW_IN_USE",
  /** `apply`: the digest of the records Terraform planned with (see `stackDigest`). */
  digest: "ESINFER_DIGEST",
} as const;

/**
 * Set by the operator (inherited from the environment Terraform runs in), not by the configuration: allows
 * replacing or deleting endpoints in use for this run, e.g. `ESINFER_ALLOW_IN_USE=1 terraform destroy`.
 */
export const OPERATOR_ALLOW_IN_USE_ENV = "ESINFER_ALLOW_IN_USE";

/** How long a hook waits for the stack's state lock (held by an `esinfer apply` run elsewhere, say). */
export const HOOK_LOCK_TIMEOUT_ENV = "ESINFER_LOCK_TIMEOUT";
export const DEFAULT_HOOK_LOCK_TIMEOUT = "2m";

/**
 * Set to `0`, `false`, `no` or `off` where the app synthesizes to skip the drift lookup (offline synthesis); the
 * ElasticsearchCluster prop `lookup: false` does the same for one cluster.
 */
export const LOOKUP_ENV = "ESINFER_LOOKUP";

export type HookCommand = "apply" | "destroy";

/** What every hook reads: which stack, where the cluster and the state are, and the in-use override. */
const SHARED_INPUTS = {
  [HOOK_ENV.stack]: "stack",
  [HOOK_ENV.connection]: "connection",
  [HOOK_ENV.state]: "state",
  [HOOK_ENV.projectDir]: "project_dir",
  [HOOK_ENV.allowInUse]: "allow_in_use",
};

/** Which value each hook's environment variable takes, by resource key. */
export const HOOK_INPUTS: Readonly<Record<HookCommand, Readonly<Record<string, string>>>> = {
  apply: { ...SHARED_INPUTS, [HOOK_ENV.digest]: "digest" },
  destroy: SHARED_INPUTS,
};

/** Whether an environment flag is set to a false value (`0`, `false`, `no`, `off`). */
export const isOff = (v: string | undefined) =>
  v !== undefined && ["0", "false", "no", "off"].includes(v.toLowerCase());
/** Whether an environment flag is set to a true value (`1`, `true`, `yes`). */
export const isOn = (v: string | undefined) => v !== undefined && ["1", "true", "yes"].includes(v.toLowerCase());

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
