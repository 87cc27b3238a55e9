/**
 * A faithful local emulator of the Elasticsearch inference management API (create, get, update, delete, perform
 * inference), version-switchable from 8.18 to main (2026), with references (indices, pipelines), a document API
 * for esinfer's own state, API-key authentication, fault injection and a request log.
 */
export { startEmulator, type Emulator, type EmulatorOptions } from "./emulator";
export type { DropFault, ErrorFault, FaultHandle, FaultTrigger, LatencyFault, RequestMatch, Faults } from "./faults";
export type { ConcurrencyStats, RequestFilter, RequestLog, RequestRecord } from "./request-log";
export type { EndpointConfig } from "./store";
export { behaviorFor, type Behavior } from "./versions";
export { EsError } from "./errors";
