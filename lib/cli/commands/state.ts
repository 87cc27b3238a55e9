/**
 * `esinfer state list | show ID | rm ID...`: what a stack owns, as Terraform's `state` commands show it. Each takes
 * the stack's lock. `rm` forgets without deleting: the endpoint stays in the cluster, owned by no stack (its
 * ownership claim is released), and the next plan of this stack neither manages nor deletes it.
 */
import { createHash } from "node:crypto";
import { PlanError, type OwnedEndpoint, type StackState } from "../../engine";
import { ValidationError, canonicalJson, displayJson, escapeUnsafe } from "../../model";
import { colors, UsageError, type Io } from "../io";
import { durationMs, openInterruptibleSession, openSession, type EngineCommandOptions } from "../session";

export interface StateCommandOptions extends EngineCommandOptions {
  json?: boolean;
}

const SUBCOMMANDS = ["list", "show", "rm"] as const;

export async function run(io: Io, options: StateCommandOptions, sub: string, ids: string[] = []): Promise<number> {
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw new UsageError(`esinfer state ${sub}: unknown subcommand (choose ${SUBCOMMANDS.join(", ")})`);
  const lockTimeoutMs = options.lockTimeout ? durationMs("--lock-timeout", options.lockTimeout) : 0;
  if (sub === "list") {
    if (ids.length > 0) throw new UsageError("esinfer state list takes no ids (esinfer state show ID shows one)");
    return openSession(io, options, async (session) => {
      const state = await session.readState({ lockTimeoutMs });
      io.stdout.write(options.json ? JSON.stringify(listDocument(state), null, 2) + "\n" : listText(state));
      return 0;
    });
  }
  if (sub === "show") {
    if (ids.length !== 1) throw new UsageError("esinfer state show takes one inference id");
    const id = ids[0]!;
    return openSession(io, options, async (session) => {
      const state = await session.readState({ lockTimeoutMs });
      const entry = Object.hasOwn(state.endpoints, id) ? state.endpoints[id] : undefined;
      if (!entry)
        throw new UsageError(
          `${escapeUnsafe(id)} is not owned by stack ${session.stack.name} (esinfer state list shows what it owns)`,
        );
      io.stdout.write(options.json ? displayJson({ inference_id: id, ...entry }, 2) + "\n" : showText(id, entry));
      return 0;
    });
  }
  if (ids.length === 0) throw new UsageError("esinfer state rm takes the inference ids to forget");
  return openInterruptibleSession(io, options, async (session) => {
    const { forgotten } = await session.forget(ids, { lockTimeoutMs }).catch((e: unknown) => {
      throw e instanceof PlanError ? new ValidationError(e.issues, "Nothing was forgotten") : e;
    });
    const c = colors(io, io.stderr);
    io.stderr.write(
      `${c.green("Forgot")} ${forgotten.join(", ")}: stack ${session.stack.name} no longer owns ` +
        `${forgotten.length === 1 ? "it; it stays in the cluster, owned by no stack" : "them; they stay in the cluster, owned by no stack"}. ` +
        `Remove ${forgotten.length === 1 ? "its declaration" : "their declarations"} from the stack, or the next plan ` +
        `reports ${forgotten.length === 1 ? "it" : "them"} as existing and not managed.\n`,
    );
    return 0;
  });
}

/** `sha256:` of the canonical last applied declaration, short: tells two applied versions apart at a glance. */
function declarationDigest(entry: OwnedEndpoint): string {
  return `sha256:${createHash("sha256").update(canonicalJson(entry.declared)).digest("hex").slice(0, 12)}`;
}

/** How far the secrets of an entry are known: fingerprinted by an apply, or not yet (imported). */
function secretStatus(entry: OwnedEndpoint): string {
  const n = Object.keys(entry.secrets).length;
  if (entry.status === "imported") return "not verified (imported)";
  if (entry.status === "creating") return "not verified (create in progress or interrupted)";
  return n === 0 ? "none" : `${n} fingerprinted`;
}

function listDocument(state: StackState) {
  return {
    stack: state.stack,
    serial: state.serial,
    lineage: state.lineage,
    endpoints: Object.keys(state.endpoints)
      .sort()
      .map((id) => {
        const e = state.endpoints[id]!;
        return {
          inference_id: id,
          service: e.service,
          task_type: e.task_type,
          status: e.status,
          declaration_digest: declarationDigest(e),
          secrets: secretStatus(e),
          updated_at: e.updated_at,
        };
      }),
  };
}

function listText(state: StackState): string {
  const rows = listDocument(state).endpoints;
  if (rows.length === 0) return `Stack ${state.stack} owns no endpoint (state serial ${state.serial}).\n`;
  const header = ["inference_id", "service / task type", "status", "last applied", "secrets", "updated"];
  const table = rows.map((r) => [
    escapeUnsafe(r.inference_id),
    `${r.service} ${r.task_type}`,
    r.status,
    r.declaration_digest,
    r.secrets,
    r.updated_at,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd() + "\n";
  return (
    line(header) +
    table.map(line).join("") +
    `${rows.length} endpoint${rows.length === 1 ? "" : "s"} owned by stack ${state.stack} (state serial ${state.serial}).\n`
  );
}

function showText(id: string, entry: OwnedEndpoint): string {
  return (
    `inference_id: ${escapeUnsafe(id)}\n` +
    `service / task type: ${entry.service} ${entry.task_type}\n` +
    `status: ${entry.status}\n` +
    `updated: ${entry.updated_at}\n` +
    `secrets: ${secretStatus(entry)}${Object.keys(entry.secrets).length > 0 ? ` (${Object.keys(entry.secrets).join(", ")})` : ""}\n` +
    `last applied declaration (${declarationDigest(entry)}; secrets as references):\n` +
    displayJson(entry.declared, 2) +
    "\n"
  );
}
