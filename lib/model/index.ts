/** The endpoint model: declarations, validation, secrets and the canonical form. */
import { declarationToRequest, type EndpointDeclaration } from "./declaration";
import { ValidationError } from "./issues";
import { validateRequest, type ValidateOptions, type ValidatedEndpoint, type ValidationResult } from "./validate";

export * from "./declaration";
export type * from "./generated/declarations";
export * from "./issues";
export * from "./secrets";
export * from "./validate";
export * from "./canonical";
export * from "./secret-fields";
export * from "./text";
export { closest, didYouMean } from "./suggest";

/** Validates a camelCase declaration (literal secrets are errors: declare references). */
export function validateDeclaration(
  declaration: unknown,
  options: Omit<ValidateOptions, "literalSecrets"> = {},
): ValidationResult {
  return validateRequest(declarationToRequest(declaration), {
    source: "typescript",
    ...options,
    literalSecrets: "reject",
  });
}

/**
 * Declares one endpoint, typed by service and task type (an editor shows each setting's facts, and a misspelt or
 * misplaced setting does not compile), and validates it at once: throws a `ValidationError` listing every problem.
 */
export function defineEndpoint(
  declaration: EndpointDeclaration,
  options: Omit<ValidateOptions, "literalSecrets"> = {},
): ValidatedEndpoint {
  const result = validateDeclaration(declaration, options);
  if (!result.endpoint) throw new ValidationError(result.issues);
  return result.endpoint;
}
