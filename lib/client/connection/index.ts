/** Connection settings: options and their validation, Elastic Cloud IDs, and the environment variables. */
export * from "./options";
export * from "./cloud-id";
export * from "./environment";
