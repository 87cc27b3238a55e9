/**
 * Ownership claims: which stack owns each endpoint of a cluster, kept in the cluster itself so that every stack sees
 * every other stack's claims, whatever backend holds its own state (a file on one machine, or a document in the
 * cluster). One document per endpoint in the `esinfer-state` index, id `claim:<inference_id>`:
 *
 *   { kind: "claim", inference_id, stack, lineage, claimed_at }
 *
 * A claim is created with `op_type=create` (one `_bulk` for all the endpoints of an apply), so two stacks can never
 * both claim an endpoint; it names the stack and the lineage of its state, so a stack whose state was lost and
 * re-created (another lineage) is told rather than silently taking over. Claims are read with one `_mget`, which is
 * realtime: a claim written a moment ago by another run is seen.
 *
 * The cluster user therefore needs, besides `manage_inference`, the `read`, `write` and `create_index` index
 * privileges on `esinfer-state` (docs/ownership.md).
 */
import { isAmbiguousFailure, rootError, type ElasticsearchClient } from "../../client";
import { EsinferError } from "../../errors";
import { DEFAULT_STATE_INDEX } from "../state";

/** The index holding every stack's claims: one per cluster, so that all stacks see each other's. */
export const CLAIMS_INDEX = DEFAULT_STATE_INDEX;

/** Who a claim names as owner. */
export interface ClaimOwner {
  readonly stack: string;
  /** The lineage of that stack's state. */
  readonly lineage: string;
}

export interface Claim extends ClaimOwner {
  readonly inferenceId: string;
  readonly claimedAt: string;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** Whether a claim names `owner` (the same stack, with the same state). */
export function claimedBy(claim: Claim | undefined, owner: ClaimOwner): boolean {
  return claim !== undefined && claim.stack === owner.stack && claim.lineage === owner.lineage;
}

/** How a claim is described in messages: `stack search` or `stack search (another state, lineage ...)`. */
export function describeOwner(claim: Claim, self: ClaimOwner): string {
  if (claim.stack === self.stack)
    return `stack ${claim.stack} with another state (lineage ${claim.lineage}, claimed ${claim.claimedAt})`;
  return `stack ${claim.stack}`;
}

export const claimDocId = (inferenceId: string) => `claim:${inferenceId}`;

/** The outcome of claiming endpoints: those now claimed by us, and those someone else holds. */
export interface ClaimResult {
  readonly claimed: readonly string[];
  readonly conflicts: ReadonlyMap<string, Claim>;
}

/** The claims of one cluster, as seen by one stack (`self`). */
export class ClaimRegistry {
  constructor(
    private readonly client: ElasticsearchClient,
    readonly self: ClaimOwner,
    readonly index: string = CLAIMS_INDEX,
  ) {}

  /** The claims of these endpoints (one `_mget`); endpoints nobody claims are absent from the map. */
  async read(inferenceIds: Iterable<string>): Promise<Map<string, Claim>> {
    const ids = [...new Set(inferenceIds)];
    const claims = new Map<string, Claim>();
    if (ids.length === 0) return claims;
    const docs = await this.client.mgetDocuments(this.index, ids.map(claimDocId));
    for (const id of ids) {
      const doc = docs.get(claimDocId(id));
      const claim = doc && parseClaim(id, doc.source, doc.seqNo, doc.primaryTerm);
      if (claim) claims.set(id, claim);
    }
    return claims;
  }

  /**
   * Claims endpoints for `self` (one `_bulk` of creates). An endpoint already claimed by `self` counts as claimed;
   * one claimed by someone else is a conflict. After a failure whose outcome is unknown the claims are read back,
   * so a lost response never makes a claim look like someone else's.
   */
  async claim(inferenceIds: readonly string[], now = new Date()): Promise<ClaimResult> {
    const ids = [...new Set(inferenceIds)];
    if (ids.length === 0) return { claimed: [], conflicts: new Map() };
    const claimedAt = now.toISOString();
    let rejected: string[];
    try {
      const items = await this.client.bulkDocuments(
        this.index,
        ids.map((id) => ({ op: "create" as const, id: claimDocId(id), source: this.source(id, claimedAt) })),
        { refresh: false },
      );
      const failed = items.filter((i) => !i.ok);
      const other = failed.find((i) => i.status !== 409);
      if (other)
        throw new EsinferError(
          `recording ownership claims in index ${this.index} failed (${other.errorType ?? other.status}: ` +
            `${other.reason ?? "no reason given"}); the cluster user needs the read, write and create_index ` +
            `privileges on ${this.index}`,
          { code: "ESINFER_CLAIMS" },
        );
      rejected = failed.map((i) => i.id.slice("claim:".length));
    } catch (e) {
      // Unknown which creates landed: whatever holds the claims now decides.
      rejected = ids;
      if (!isAmbiguousFailure(rootError(e))) throw e;
    }
    if (rejected.length === 0) return { claimed: ids, conflicts: new Map() };
    const current = await this.read(rejected);
    const conflicts = new Map<string, Claim>();
    for (const id of rejected) {
      const claim = current.get(id);
      if (!claimedBy(claim, this.self)) {
        if (claim) conflicts.set(id, claim);
        // Gone again (released meanwhile): not ours either; the next run claims it.
        else conflicts.set(id, missingClaim(id));
      }
    }
    return { claimed: ids.filter((id) => !conflicts.has(id)), conflicts };
  }

  /** Releases our claims on these endpoints (only those still naming `self`; one `_bulk` of conditional deletes). */
  async release(inferenceIds: Iterable<string>, known?: ReadonlyMap<string, Claim>): Promise<void> {
    const ids = [...new Set(inferenceIds)];
    if (ids.length === 0) return;
    const claims = new Map(known ?? []);
    const unknown = ids.filter((id) => !claims.has(id));
    for (const [id, claim] of await this.read(unknown)) claims.set(id, claim);
    const ours = ids.flatMap((id) => {
      const claim = claims.get(id);
      return claim && claimedBy(claim, this.self) ? [claim] : [];
    });
    if (ours.length === 0) return;
    // A claim that changed since it was read (taken over) is someone else's now: its delete fails with 409, and
    // is left alone.
    await this.client.bulkDocuments(
      this.index,
      ours.map((c) => ({
        op: "delete" as const,
        id: claimDocId(c.inferenceId),
        ifSeqNo: c.seqNo,
        ifPrimaryTerm: c.primaryTerm,
      })),
      { refresh: false },
    );
  }

  /**
   * Moves a claim from its current holder to `self`, only if it still is exactly `from` (conditional on its
   * sequence number). False when it changed meanwhile.
   */
  async takeOver(from: Claim, now = new Date()): Promise<boolean> {
    const [item] = await this.client.bulkDocuments(
      this.index,
      [
        {
          op: "index",
          id: claimDocId(from.inferenceId),
          source: this.source(from.inferenceId, now.toISOString()),
          ifSeqNo: from.seqNo,
          ifPrimaryTerm: from.primaryTerm,
        },
      ],
      { refresh: false },
    );
    return item !== undefined && item.ok;
  }

  private source(inferenceId: string, claimedAt: string): Record<string, unknown> {
    return {
      kind: "claim",
      inference_id: inferenceId,
      stack: this.self.stack,
      lineage: this.self.lineage,
      claimed_at: claimedAt,
    };
  }
}

/** A claim as stored, or undefined when the document is not an esinfer claim of this endpoint. */
function parseClaim(id: string, source: unknown, seqNo: number, primaryTerm: number): Claim | undefined {
  if (source === null || typeof source !== "object") return undefined;
  const s = source as Record<string, unknown>;
  if (s["kind"] !== "claim" || s["inference_id"] !== id) return undefined;
  if (typeof s["stack"] !== "string" || typeof s["lineage"] !== "string") return undefined;
  return {
    inferenceId: id,
    stack: s["stack"],
    lineage: s["lineage"],
    claimedAt: typeof s["claimed_at"] === "string" ? s["claimed_at"] : "an unknown time",
    seqNo,
    primaryTerm,
  };
}

/** Stands for a claim that was refused and then not found: someone held it and released it meanwhile. */
function missingClaim(id: string): Claim {
  return { inferenceId: id, stack: "(released meanwhile)", lineage: "", claimedAt: "", seqNo: -1, primaryTerm: -1 };
}
