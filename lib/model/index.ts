/** The endpoint model: declarations, validation, secrets and the canonical form. */
import type { ServiceName, TaskTypeOf } from "../catalogue";
import { declarationToRequest, type EndpointDeclarationOf } from "./declaration";
import { ValidationError } from "./issues";
import { validateRequest, type ValidateOptions, type ValidatedEndpoint, type ValidationResult } from "./validate";

export * from "./declaration";
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
 * Declares one endpoint, typed by service and task type, and validates it at once: throws a `ValidationError`
 * listing every problem.
 */
export function defineEndpoint<S extends ServiceName, T extends TaskTypeOf<S>>(
  declaration: EndpointDeclarationOf<S, T>,
  options: Omit<ValidateOptions, "literalSecrets"> = {},
): ValidatedEndpoint {
  const result = validateDeclaration(declaration, options);
  if (!result.endpoint) throw new ValidationError(result.issues);
  return result.endpoint;
}
