/** Validation problems: every one names the endpoint, the field path in request shape, what is wrong and what is allowed. */
import { EsinferError } from "../errors";

export interface ValidationIssue {
  /** The endpoint's `inference_id`, or its position (`endpoints[2]`) when the id itself is missing. */
  readonly endpoint: string;
  /** Field path in request shape, e.g. `service_settings.model_id`; empty for the endpoint as a whole. */
  readonly path: string;
  readonly message: string;
  /** What would be accepted instead. */
  readonly allowed?: string;
  /** A near miss's likely intent: `did you mean "model_id"?`. */
  readonly hint?: string;
}

export function formatIssue(issue: ValidationIssue): string {
  const where = issue.path ? `${issue.endpoint}: ${issue.path}` : issue.endpoint;
  let text = `${where}: ${issue.message}`;
  if (issue.hint) text += `; ${issue.hint}`;
  if (issue.allowed) text += ` (allowed: ${issue.allowed})`;
  return text;
}

/** Thrown by APIs that validate eagerly (constructs, manifests): carries every issue, not just the first. */
export class ValidationError extends EsinferError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], context = "Invalid inference endpoint declaration") {
    const n = issues.length;
    super(`${context}: ${n} problem${n === 1 ? "" : "s"}\n${issues.map((i) => `  - ${formatIssue(i)}`).join("\n")}`, {
      code: "ESINFER_INVALID",
    });
    this.issues = issues;
  }
}
