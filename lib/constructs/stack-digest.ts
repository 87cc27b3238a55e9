/**
 * The digest of what the runner applies: every endpoint record of the stack and its tombstones. The runner's
 * identity carries it (so Terraform replaces the runner, and runs the apply, whenever any of it changes), and the
 * runner checks it against the synthesized file it reads, so it never applies a file that changed since the plan.
 */
import { hash } from "node:crypto";
import { canonicalJson } from "../model/canonical";
import type { RecordValues } from "./hook-contract";

/** `sha256:<hex>` of the records (their values as Terraform hands them over, unescaped) and the tombstones. */
export function stackDigest(records: readonly RecordValues[], absent: readonly string[]): string {
  // Sorted: the order of resources in the synthesized file is not part of what is applied.
  const lines = records.map((r) => canonicalJson(r)).sort();
  lines.push(canonicalJson([...absent].sort()));
  return `sha256:${hash("sha256", lines.join("\n"))}`;
}
