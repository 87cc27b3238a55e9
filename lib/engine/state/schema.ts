/**
 * The stack state document: what esinfer remembers per stack. Which endpoints it owns (so removed declarations are
 * planned as deletes and endpoints it does not own are never touched), a salted fingerprint of each secret (so
 * rotation is detected without storing the secret), and the last applied declaration.
 */
import { z } from "zod";

/**
 * 2: endpoints may be `imported` (kept until declared or released) and carry a Terraform `marker`; a `creating`
 * entry records what it sends. Format 1 states are read as format 2.
 */
export const STATE_FORMAT_VERSION = 2;

export const OwnedEndpointSchema = z.object({
  task_type: z.string(),
  service: z.string(),
  /**
   * `creating`: the create was sent (or is about to be), with the declaration below. If the endpoint exists on the
   * next run, this stack made it only when the cluster holds what was sent; otherwise someone else created it.
   * `applied`: the declaration below is what the cluster took.
   * `imported`: adopted by `esinfer import` (the declaration below is what the cluster held); never deleted for
   * being undeclared, until it is declared (then it is managed as `applied`) or released (`esinfer state rm`).
   */
  status: z.enum(["creating", "applied", "imported"]),
  /** Canonical declaration last applied, or being created (secrets as references, never values). */
  // A plain object, checked as such: what is inside is the engine's own canonical form (a record schema would copy
  // every key of every endpoint on each read).
  declared: z.custom<Record<string, unknown>>(
    (v) => typeof v === "object" && v !== null && !Array.isArray(v),
    "must be an object",
  ),
  /** Salted fingerprint per secret path, e.g. `service_settings.api_key` → `hmac-sha256:...`. */
  secrets: z.record(z.string(), z.string()),
  /**
   * Digest of the configuration the cluster stored at the last apply (`sha256:...`): while both it and the
   * declaration are unchanged, the plan knows the endpoint is unchanged without comparing it field by field.
   */
  live: z.string().optional(),
  updated_at: z.string(),
  /**
   * The Terraform drift marker this endpoint carried in the synthesized stack when it was last applied (see
   * lib/constructs): a synthesis that sees the endpoint in sync writes it back, so Terraform sees no change.
   */
  marker: z.string().optional(),
  /**
   * While a replace is `creating`: the endpoint it replaces (its last applied declaration and live digest). A replace
   * deletes before it creates; if the run stops before the delete, the next run finds this endpoint, not the new
   * one, and must know it for its own.
   */
  previous: z
    .object({
      declared: z.custom<Record<string, unknown>>(
        (v) => typeof v === "object" && v !== null && !Array.isArray(v),
        "must be an object",
      ),
      live: z.string().optional(),
    })
    .optional(),
});
export type OwnedEndpoint = z.infer<typeof OwnedEndpointSchema>;

export const StackStateSchema = z.object({
  format_version: z.literal(STATE_FORMAT_VERSION),
  stack: z.string(),
  /** Random id given when the state is created: a plan saved against another state's lineage is stale. */
  lineage: z.string(),
  /** Increases on every write. */
  serial: z.number().int().nonnegative(),
  /** Salt of the secret fingerprints (random per state). */
  salt: z.string(),
  /** The cluster this state belongs to (its uuid), so a state is not applied to another cluster by mistake. */
  cluster_uuid: z.string().optional(),
  endpoints: z.record(z.string(), OwnedEndpointSchema),
});
export type StackState = z.infer<typeof StackStateSchema>;
