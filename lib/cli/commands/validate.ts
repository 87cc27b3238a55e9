/**
 * `esinfer validate FILE`: exit 0 with a one-line summary when every endpoint is valid, 1 with every problem
 * otherwise, 2 when the input cannot be read. Literal secrets are accepted, as in a request body, and never echoed.
 */
import { parseVersion } from "../../catalogue";
import { formatIssue, validateRequests, type ValidationIssue } from "../../model";
import { colors, UsageError, type Io } from "../io";
import { EXIT_UNREADABLE, readJson } from "../json-input";

export interface ValidateOptions {
  esVersion?: string;
  json?: boolean;
}

export async function run(io: Io, options: ValidateOptions, file: string): Promise<number> {
  if (options.esVersion !== undefined) {
    try {
      parseVersion(options.esVersion);
    } catch (e) {
      throw new UsageError(`--es-version: ${(e as Error).message}`);
    }
  }
  const { value } = await readJson(io, file);
  const inputs = Array.isArray(value) ? value : [value];
  if (inputs.length === 0) throw new UsageError(`${file} holds an empty array: nothing to validate`, EXIT_UNREADABLE);
  const { endpoints, issues, warnings } = validateRequests(inputs, {
    esVersion: options.esVersion,
    literalSecrets: "accept",
    label: Array.isArray(value) ? "endpoints" : undefined,
  });

  if (options.json) {
    io.stdout.write(
      JSON.stringify(
        {
          valid: issues.length === 0,
          endpoints: endpoints.map((e) => ({
            inference_id: e.inference_id,
            service: e.service,
            task_type: e.task_type,
          })),
          issues,
          warnings,
        },
        null,
        2,
      ) + "\n",
    );
    return issues.length === 0 ? 0 : 1;
  }

  const c = colors(io, io.stderr);
  for (const w of warnings) io.stderr.write(`${c.yellow("warning")} ${formatIssue(w)}\n`);
  if (issues.length === 0) {
    const out = colors(io);
    const list = endpoints.map((e) => `${e.inference_id} (${e.service} ${e.task_type})`).join(", ");
    io.stdout.write(
      `${out.green("✓")} ${endpoints.length} endpoint${endpoints.length === 1 ? "" : "s"} valid: ${list}\n`,
    );
    return 0;
  }
  for (const issue of issues) io.stderr.write(`${c.red("✗")} ${formatIssue(issue)}\n`);
  const bad = new Set(issues.map((i: ValidationIssue) => i.endpoint)).size;
  io.stderr.write(
    `${issues.length} problem${issues.length === 1 ? "" : "s"} in ${bad} of ${inputs.length} endpoint${inputs.length === 1 ? "" : "s"}\n`,
  );
  return 1;
}
