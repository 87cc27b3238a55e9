/**
 * A stack: one cluster and the endpoints declared for it, plus the ids that must be absent (tombstones) and where
 * its state lives. Built from a JSON manifest (`loadManifest`), from TypeScript (`defineStack`), or from the stacks
 * the CDK for Terraform constructs synthesize.
 */
import { canonicalize, type CanonicalEndpoint, type ValidatedEndpoint } from "../model";
import type { ClusterConfig } from "./cluster-config";

export type StateConfig = { backend: "file"; path?: string } | { backend: "cluster"; index?: string };

export interface Stack {
  readonly name: string;
  readonly cluster: ClusterConfig;
  readonly endpoints: readonly ValidatedEndpoint[];
  /** Endpoint ids that must not exist (deleted if present, whoever created them). */
  readonly absent: readonly string[];
  readonly state: StateConfig;
  /** Directory that relative paths (secret files, the state file, CA files) are resolved against. */
  readonly baseDir: string;
}

/** A declared endpoint with its canonical form (computed once). */
export interface DeclaredEndpoint {
  readonly endpoint: ValidatedEndpoint;
  readonly canonical: CanonicalEndpoint;
  /** Whether chunking settings were declared (undeclared ones accept the server's default of any era). */
  readonly chunkingDeclared: boolean;
}

export function declaredEndpoints(stack: Stack): DeclaredEndpoint[] {
  return stack.endpoints.map((endpoint) => ({
    endpoint,
    canonical: canonicalize(endpoint),
    chunkingDeclared: endpoint.chunking_settings !== undefined,
  }));
}

export const STACK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
