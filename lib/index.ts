/**
 * esinfer: Elasticsearch inference endpoints as code.
 *
 * - Declaring endpoints: {@link defineEndpoint} (typed per service and task type), {@link secret} references.
 * - CDK for Terraform: {@link ElasticsearchCluster} and {@link InferenceEndpoint} constructs (cdktf 0.21 or CDK
 *   Terrain 0.24; loaded only when used).
 * - Planning and applying without Terraform: {@link defineStack} / {@link loadManifest}, then
 *   {@link StackSession}'s `plan()` and `apply()`.
 * - Talking to a cluster: {@link ElasticsearchClient}. Trying everything without one: {@link startEmulator}.
 * - Facts about every service: {@link SERVICES}, {@link getTaskSpec}.
 *
 * The CLI (`esinfer`) is a thin layer over the same API.
 */

// esinfer's own errors: one root, with a stable code and the CLI's exit status.
export { EsinferError, EXIT, isEsinferError, type EsinferErrorOptions } from "./errors";

// The catalogue: services, task types, chunking, ids, versions, and the registry of versioned server behavior.
export {
  BEHAVIORS,
  UPDATABLE_SERVICE_SETTINGS,
  hasBehavior,
  behaviorValue,
  updatableServiceSettings,
  updatableSince,
  maxChunkSizeLimit,
  inferenceIdConflict,
  SERVICES,
  SERVICE_NAMES,
  TASK_TYPES,
  EMBEDDING_TASK_TYPES,
  CHUNKING_STRATEGIES,
  DEFAULT_CHUNKING,
  MIN_SUPPORTED_VERSION,
  MAIN_VERSION,
  PRECONFIGURED_ENDPOINTS,
  getService,
  getTaskSpec,
  infoOf,
  inferenceIdProblems,
  isPreconfiguredId,
  isServiceName,
  isTaskType,
  taskSince,
  taskTypesOf,
} from "./catalogue";
export type {
  ChunkingSettings,
  ChunkingStrategy,
  EnvSecretRef,
  FieldInfo,
  FileSecretRef,
  SecretRef,
  ServiceName,
  ServiceSpec,
  TaskSpec,
  TaskType,
  TaskTypeOf,
} from "./catalogue";

// The endpoint model: declarations, validation, secrets, canonical form.
export {
  ValidationError,
  SecretResolutionError,
  InputEncodingError,
  MAX_SECRET_FILE_BYTES,
  canonicalJson,
  canonicalize,
  declarationToRequest,
  defineEndpoint,
  formatIssue,
  requestToDeclaration,
  secret,
  validateDeclaration,
  validateRequest,
  validateRequests,
} from "./model";
export type {
  CanonicalEndpoint,
  EndpointDeclaration,
  EndpointDeclarationOf,
  EndpointRequest,
  EndpointRequestOf,
  ValidateOptions,
  ValidatedEndpoint,
  ValidationIssue,
  ValidationResult,
} from "./model";

// The Elasticsearch client.
export {
  ConfigurationError,
  ConnectionError,
  ElasticsearchClient,
  ElasticsearchClientError,
  ElasticsearchError,
  RequestTimeoutError,
  RetryBudgetExceededError,
  connectionFromEnv,
  isAlreadyExists,
  isConflict,
  isNotFound,
} from "./client";
export type {
  Auth,
  AuthKind,
  ClusterInfo,
  ConnectionOptions,
  ConnectionSources,
  // Named apart from the InferenceEndpoint construct: an endpoint as GET returns it.
  InferenceEndpoint as LiveEndpoint,
} from "./client";

// The plan engine.
export {
  ApplyRefusedError,
  ClusterConfigError,
  DiffPairingError,
  ManifestReadError,
  MissingSecretsError,
  PlanError,
  SavedPlanError,
  StackSession,
  StalePlanError,
  StateAccessError,
  StateConflictError,
  StateLockedError,
  LockReleaseError,
  PLAN_FORMAT_VERSION,
  TARGETING_WARNING,
  defineStack,
  diffStacks,
  hasChanges,
  loadManifest,
  parseManifest,
} from "./engine";
export {
  ForceUnlockError,
  LockLeaseSettingError,
  LockLostError,
  LOCK_DEFAULTS,
  LOCK_LEASE_ENV,
  StateFormatError,
  SecretInStateError,
} from "./engine/state";
export type {
  Action,
  ApplyOptions,
  ApplyResult,
  ClusterConfig,
  DiffSide,
  ImportResult,
  LockInfo,
  LockOptions,
  StackDiff,
  EndpointPlan,
  FieldChange,
  Plan,
  PlanOptions,
  PlanScope,
  SessionOptions,
  Stack,
  StackDefinition,
  StateConfig,
} from "./engine";
export {
  renderDiffHuman,
  renderDiffJson,
  renderDiffMarkdown,
  renderHuman,
  renderJson,
  renderMarkdown,
} from "./engine/render";

// The emulator of the inference management API.
export { startEmulator } from "./emulator";
export type { Emulator, EmulatorOptions } from "./emulator";

// CDK for Terraform constructs.
export { ElasticsearchCluster, InferenceEndpoint, PROJECT_DIR_CONTEXT, UnsupportedCdkError } from "./constructs";
export type {
  ClusterAuth,
  ElasticsearchClusterProps,
  HookResourceType,
  InferenceEndpointOptions,
  InferenceEndpointProps,
} from "./constructs";
