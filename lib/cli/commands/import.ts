/**
 * `esinfer import ID... | --all [--from-stack NAME]`: adopts existing endpoints into the stack and prints their
 * declarations, secrets as references to name, ready to paste into the manifest (or, `--format typescript`, as
 * construct code). Nothing it adopts is deleted for being undeclared: an imported endpoint is kept until it is
 * declared or released with `esinfer state rm`.
 */
import { PlanError, type ImportedEndpoint } from "../../engine";
import { ValidationError, formatIssue } from "../../model";
import { colors, UsageError, type Io } from "../io";
import { durationMs, openSession, type EngineCommandOptions } from "../session";

/** Heading of the problems that stop an import (all ids are checked first: it is all or nothing). */
const NOTHING_IMPORTED = "Nothing was imported";

export interface ImportCommandOptions extends EngineCommandOptions {
  all?: boolean;
  format?: string;
  fromStack?: string;
}

export async function run(io: Io, options: ImportCommandOptions, ids: string[] = []): Promise<number> {
  const format = options.format ?? "json";
  if (!["json", "typescript"].includes(format)) throw new UsageError(`--format ${format}: choose json or typescript`);
  const lockTimeoutMs = options.lockTimeout ? durationMs("--lock-timeout", options.lockTimeout) : 0;
  if (ids.length === 0 && !options.all)
    throw new UsageError("name the endpoints to import, or pass --all for every endpoint no stack owns yet");
  if (options.all && options.fromStack)
    throw new UsageError("--from-stack moves the endpoints you name; it does not combine with --all");
  return openSession(io, options, async (session) => {
    const name = session.stack.name;
    const result = await session
      .import(ids, {
        lockTimeoutMs,
        all: Boolean(options.all),
        ...(options.fromStack ? { fromStack: options.fromStack } : {}),
      })
      .catch((e: unknown) => {
        throw e instanceof PlanError ? new ValidationError(e.issues, NOTHING_IMPORTED) : e;
      });
    const shown = [...result.imported, ...result.again];
    const c = colors(io, io.stderr);
    if (shown.length === 0) {
      io.stderr.write("Nothing to import: every endpoint in the cluster is owned by a stack or preconfigured.\n");
      return 0;
    }
    io.stdout.write(
      format === "typescript"
        ? await typescriptOf(shown)
        : JSON.stringify(
            shown.map((i) => i.request),
            null,
            2,
          ) + "\n",
    );
    const list = (items: readonly ImportedEndpoint[]) => items.map((i) => i.request.inference_id).join(", ");
    if (result.imported.length > 0) {
      const moved =
        result.movedFrom.length > 0
          ? ` (ownership moved from stack ${options.fromStack}: ${result.movedFrom.join(", ")})`
          : "";
      io.stderr.write(
        `${c.green("Imported")} ${plural(result.imported.length)} into stack ${name}: ${list(result.imported)}${moved}\n`,
      );
    }
    if (result.again.length > 0)
      io.stderr.write(
        `Already imported into stack ${name}, not declared yet: ${list(result.again)} (nothing changed)\n`,
      );
    const env = result.imported.flatMap((i) => i.secretEnv);
    if (env.length > 0)
      io.stderr.write(
        `Their secrets are not readable from the cluster; the declarations reference ${env.join(", ")}: set those (or rename the references) before an apply needs to send them.\n`,
      );
    for (const i of shown)
      for (const issue of i.issues) io.stderr.write(`${c.yellow("warning")} ${formatIssue(issue)}\n`);
    if (result.undeclared.length > 0)
      io.stderr.write(
        `Next: add ${result.undeclared.length === 1 ? "its declaration" : "their declarations"} (above) to stack ${name}; ` +
          `esinfer plan then shows no changes for ${result.undeclared.length === 1 ? "it" : "them"}. Until then ` +
          `${result.undeclared.length === 1 ? "it is" : "they are"} kept, never deleted; to release ` +
          `${result.undeclared.length === 1 ? "it" : "one"} instead: esinfer state rm ${result.undeclared[0]}\n`,
      );
    else
      io.stderr.write(
        `They are declared in stack ${name}: esinfer plan shows where they differ from the declarations.\n`,
      );
    return 0;
  });
}

const plural = (n: number) => `${n} endpoint${n === 1 ? "" : "s"}`;

async function typescriptOf(imported: readonly ImportedEndpoint[]): Promise<string> {
  const { importedToTypescript } = await import("../../constructs/typescript-import");
  return importedToTypescript(imported);
}
