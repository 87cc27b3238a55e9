/**
 * `esinfer import ID... | --all`: adopts existing endpoints into the stack and prints their declarations, secrets
 * as references to name, ready to paste into the manifest (or, `--format typescript`, as construct code).
 */
import { PlanError, type ImportedEndpoint } from "../../engine";
import { ValidationError, formatIssue } from "../../model";
import { colors, UsageError, type Io } from "../io";
import { durationMs, openSession, type EngineCommandOptions } from "../session";
import { isPreconfiguredId } from "../../catalogue";

/** Heading of the problems that stop an import (all ids are checked first: it is all or nothing). */
const NOTHING_IMPORTED = "Nothing was imported";

export interface ImportCommandOptions extends EngineCommandOptions {
  all?: boolean;
  format?: string;
}

export async function run(io: Io, options: ImportCommandOptions, ids: string[] = []): Promise<number> {
  const format = options.format ?? "json";
  if (!["json", "typescript"].includes(format)) throw new UsageError(`--format ${format}: choose json or typescript`);
  const lockTimeoutMs = options.lockTimeout ? durationMs("--lock-timeout", options.lockTimeout) : 0;
  if (ids.length === 0 && !options.all)
    throw new UsageError(
      "name the endpoints to import, or pass --all for every endpoint this stack does not manage yet",
    );
  return openSession(io, options, async (session) => {
    let targets = ids;
    // The engine refuses ids the stack already manages (under the lock); --all leaves them out here.
    if (options.all) {
      const state = await session.store.read();
      const live = await session.client.listEndpoints();
      targets = live
        .map((e) => e.inference_id)
        .filter((id) => !isPreconfiguredId(id) && !state.endpoints[id] && !ids.includes(id));
      targets = [...ids, ...targets];
      if (targets.length === 0) {
        io.stderr.write(
          "Nothing to import: every endpoint in the cluster is managed by this stack or preconfigured.\n",
        );
        return 0;
      }
    }
    const imported = await session.import(targets, { lockTimeoutMs }).catch((e: unknown) => {
      throw e instanceof PlanError ? new ValidationError(e.issues, NOTHING_IMPORTED) : e;
    });
    io.stdout.write(
      format === "typescript"
        ? await typescriptOf(imported)
        : JSON.stringify(
            imported.map((i) => i.request),
            null,
            2,
          ) + "\n",
    );
    const c = colors(io, io.stderr);
    io.stderr.write(
      `${c.green("Imported")} ${imported.length} endpoint${imported.length === 1 ? "" : "s"} into stack ${session.stack.name}: ${imported.map((i) => i.request.inference_id).join(", ")}\n`,
    );
    const env = imported.flatMap((i) => i.secretEnv);
    if (env.length > 0)
      io.stderr.write(
        `Their secrets are not readable from the cluster; the declarations reference ${env.join(", ")}: set those (or rename the references) before an apply needs to send them.\n`,
      );
    for (const i of imported)
      for (const issue of i.issues) io.stderr.write(`${c.yellow("warning")} ${formatIssue(issue)}\n`);
    io.stderr.write("Add the declarations to the stack; esinfer plan then shows no changes for them.\n");
    return 0;
  });
}

async function typescriptOf(imported: readonly ImportedEndpoint[]): Promise<string> {
  const { importedToTypescript } = await import("../../constructs/typescript-import");
  return importedToTypescript(imported);
}
