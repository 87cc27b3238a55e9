/**
 * The catalogue: facts about every Elasticsearch inference service and task type, and the registry of server
 * behavior per version, for validation, planning and emulation (see README.md).
 */
export { SERVICES } from "./services";
export * from "./lookup";
export * from "./task-types";
export * from "./version";
export * from "./fields";
export * from "./service-spec";
export * from "./chunking";
export * from "./inference-id";
export * from "./behaviors";
export * from "./server-behavior";
export * from "./service-rules";
export { BEDROCK_PROVIDER_TASKS, AZURE_AI_STUDIO_PROVIDER_TASKS, CUSTOM_JSON_PARSER_KEYS } from "./rules";
