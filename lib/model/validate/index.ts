/** Validation of endpoint declarations: see `./endpoint` for the entry points and the files beside it for each part. */
export type { ValidateOptions } from "./context";
export { validateRequest, validateRequests, type ValidatedEndpoint, type ValidationResult } from "./endpoint";
export { versionIssues } from "./versions";
