/** The plan engine: stacks, plans against live state, safe apply, state, import and verification. */
export * from "./plan-types";
export * from "./stack";
export * from "./cluster-config";
export * from "./manifest";
export {
  computePlan,
  withReferences,
  liveDigest,
  describeReferences,
  type LiveState,
  type PlanInput,
  type PlanResult,
} from "./planner";
export { compareEndpoint, type SecretCheck, type Comparison } from "./compare";
export { replaceReason } from "./updatability";
export {
  applyPlan,
  ApplyRefusedError,
  MissingSecretsError,
  type ApplyEvent,
  type ApplyOptions,
  type ApplyResult,
  type EndpointOutcome,
} from "./apply";
export { readLiveState, checkSecrets, readReferences } from "./live";
export {
  StackSession,
  PlanError,
  StalePlanError,
  TARGETING_WARNING,
  type ImportResult,
  type SessionOptions,
  type PlanOptions,
} from "./session";
export { SavedPlanError } from "./saved-plan";
export {
  diffStacks,
  hasDifferences,
  DiffPairingError,
  DIFF_FORMAT_VERSION,
  type DiffEndpoint,
  type DiffOptions,
  type DiffSide,
  type DiffStatus,
  type EndpointDiff,
  type FieldDifference,
  type StackDiff,
} from "./diff";
export { importDeclaration, secretEnvName, type ImportedEndpoint } from "./import";
export { verifyEndpoint, type VerifyResult } from "./verify";
export { StateKeeper } from "./state-keeper";
export * from "./state/types";
export { mapLimit } from "./pool";
