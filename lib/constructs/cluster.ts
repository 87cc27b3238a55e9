/**
 * `ElasticsearchCluster`: the cluster a set of inference endpoints lives in, and the esinfer stack they form (one
 * state: which endpoints the stack owns). Besides the connection, it synthesizes two resources: the cluster anchor
 * every endpoint hangs on, and the stack resource whose hook deletes endpoints whose construct was removed or that
 * are declared absent (tombstones).
 */
import { Construct } from "constructs";
import type { EnvSecretRef } from "../catalogue";
import { STACK_NAME_PATTERN, parseManifest, type ClusterConfig, type StateConfig } from "../engine";
import { canonicalJson, formatIssue } from "../model";
import { cdkFor } from "./cdk";
import type { HookResourceType, MutableKey } from "./hook-contract";
import { hookResource } from "./hook-resource";
import { hookPaths, type HookPaths } from "./locate";

/** Credentials, as the names of environment variables read when a hook or esinfer itself runs. */
export type ClusterAuth =
  | { readonly apiKey: EnvSecretRef }
  | { readonly username: string; readonly password: EnvSecretRef }
  | { readonly bearerToken: EnvSecretRef };

export interface ElasticsearchClusterProps {
  /**
   * Node URL, e.g. `https://search.example.com:9200`. Set at most one of `url`, `urls` and `cloudId`; with none,
   * the connection (and its credentials) comes from the environment when esinfer runs: `ELASTICSEARCH_URL` or
   * `ELASTICSEARCH_ENDPOINTS`, `ELASTICSEARCH_API_KEY`, ... as the Elastic Terraform provider reads them.
   */
  readonly url?: string;
  /** Several node URLs of the same cluster. */
  readonly urls?: readonly string[];
  /** An Elastic Cloud deployment's Cloud ID. */
  readonly cloudId?: string;
  /** Credentials by environment variable: `{ apiKey: secret.env("ES_API_KEY") }`. Never a literal. */
  readonly auth?: ClusterAuth;
  /** PEM file of the certificate authority to trust (relative to the project directory). */
  readonly caFile?: string;
  /** SHA-256 fingerprint of the cluster's CA certificate, instead of a CA file. */
  readonly caFingerprint?: string;
  /** Skip TLS verification (a warning is printed on every run). */
  readonly insecure?: boolean;
  /** Per-request timeout of esinfer's client, in milliseconds. */
  readonly requestTimeoutMs?: number;
  /** Name of the esinfer stack (its state and `esinfer plan --stack NAME`). Default: the TerraformStack's id. */
  readonly stackName?: string;
  /** Where the stack's state lives. Default: a file under `.esinfer/state/` in the project directory. */
  readonly state?: StateConfig;
  /** The Terraform resource type of the hooks. Default `terraform_data` (Terraform >= 1.4, no provider). */
  readonly resourceType?: HookResourceType;
  /**
   * Replace or delete endpoints that ingest pipelines or `semantic_text` fields use (sending `force=true`).
   * Default false: such a change fails with the list of what uses the endpoint. Endpoints can override it.
   */
  readonly allowInUse?: boolean;
}

/** What an endpoint construct registers with its cluster. */
export interface RegisteredEndpoint {
  readonly inferenceId: string;
  readonly path: string;
}

const CLUSTER_MARKER = Symbol.for("esinfer/ElasticsearchCluster");

/**
 * App context key: the project directory (state file, relative secret files), when the app is synthesized from
 * elsewhere than the project directory (the default, as `cdktf synth` runs the app there).
 */
export const PROJECT_DIR_CONTEXT = "esinfer:projectDir";

export class ElasticsearchCluster extends Construct {
  /** Whether `x` is an ElasticsearchCluster (also across copies of esinfer). */
  static isElasticsearchCluster(x: unknown): x is ElasticsearchCluster {
    return typeof x === "object" && x !== null && CLUSTER_MARKER in x;
  }

  /** The esinfer stack name: state, `esinfer plan --stack`. */
  readonly stackName: string;
  readonly resourceType: HookResourceType;
  readonly allowInUse: boolean;
  /** The connection as esinfer stores it (request-shape keys, credentials as references). */
  readonly connection: ClusterConfig;
  readonly stateConfig: StateConfig;
  /** Paths the hooks use, relative to the stack's working directory. */
  readonly paths: HookPaths;
  /** The anchor resource's id: every endpoint's identity references it. */
  readonly anchorId: string;
  private readonly endpoints: RegisteredEndpoint[] = [];
  private readonly absentIds: string[] = [];

  constructor(scope: Construct, id: string, props: ElasticsearchClusterProps = {}) {
    super(scope, id);
    Object.defineProperty(this, CLUSTER_MARKER, { value: true });
    const cdk = cdkFor(this);
    const terraformStack = cdk.TerraformStack.of(this);
    this.stackName = props.stackName ?? terraformStack.node.id;
    this.resourceType = props.resourceType ?? "terraform_data";
    this.allowInUse = props.allowInUse ?? false;
    this.connection = connectionOf(props);
    this.stateConfig = props.state ?? { backend: "file" };
    const projectDir = this.node.tryGetContext(PROJECT_DIR_CONTEXT) as string | undefined;
    this.paths = hookPaths(cdk.App.of(this).outdir, terraformStack.node.id, projectDir);
    this.node.addValidation({ validate: () => this.problems(props) });

    const anchor = hookResource(this, "cluster", {
      type: this.resourceType,
      kind: "cluster",
      identity: { stack: this.stackName, cluster: clusterIdentity(this.connection) },
      mutable: () => this.mutableValues(),
      paths: this.paths,
    });
    this.anchorId = anchor.id;
    hookResource(this, "stack", {
      type: this.resourceType,
      kind: "stack",
      identity: { stack: this.stackName, cluster_anchor: anchor.id },
      lateIdentity: () => ({
        endpoints: JSON.stringify(this.endpoints.map((e) => e.inferenceId).sort()),
        absent: JSON.stringify([...this.absentIds].sort()),
      }),
      mutable: () => this.mutableValues(),
      create: "prune",
      paths: this.paths,
    });
  }

  /**
   * Declares that endpoints must not exist in the cluster (tombstones): deleted when present, whoever created
   * them. Use it when removing an endpoint's construct, so the next apply deletes the endpoint (esinfer also
   * deletes endpoints its state owns that are no longer declared).
   */
  declareAbsent(...inferenceIds: string[]): void {
    this.absentIds.push(...inferenceIds);
  }

  /** @internal Called by InferenceEndpoint. */
  registerEndpoint(endpoint: RegisteredEndpoint): void {
    this.endpoints.push(endpoint);
  }

  /** The values every hook resource of this cluster carries, updated in place. */
  mutableValues(overrides: Partial<Record<MutableKey, string>> = {}): Record<MutableKey, string> {
    return {
      connection: canonicalJson(this.connection),
      state: canonicalJson(this.stateConfig),
      project_dir: this.paths.projectDir,
      allow_in_use: String(this.allowInUse),
      timeout: "",
      ...overrides,
    };
  }

  private problems(props: ElasticsearchClusterProps): string[] {
    // The manifest's rules, so a synthesized stack is one `esinfer plan` accepts.
    const problems: string[] = [];
    if (!STACK_NAME_PATTERN.test(this.stackName))
      problems.push(
        `stackName "${this.stackName}" ${props.stackName ? "is" : "(the TerraformStack's id) is"} not a valid esinfer stack name: letters, digits, _, - and . (starting with a letter or digit); set stackName`,
      );
    const { issues } = parseManifest(
      { stack: "x", cluster: this.connection, endpoints: [], absent: this.absentIds, state: this.stateConfig },
      { baseDir: "." },
    );
    problems.push(...issues.map((i) => formatIssue(i).replace(/^manifest: /, "")));
    const seen = new Map<string, string>();
    for (const e of this.endpoints) {
      const first = seen.get(e.inferenceId);
      if (first) {
        problems.push(`${e.inferenceId}: declared twice on this cluster (${first} and ${e.path})`);
        continue;
      }
      seen.set(e.inferenceId, e.path);
      if (this.absentIds.includes(e.inferenceId))
        problems.push(`${e.inferenceId}: is both declared (${e.path}) and declared absent`);
    }
    // One state per stack name: two clusters sharing one would delete each other's endpoints as undeclared.
    const twin = this.node.root.node
      .findAll()
      .find((c) => ElasticsearchCluster.isElasticsearchCluster(c) && c !== this && c.stackName === this.stackName);
    if (twin)
      problems.push(
        `${twin.node.path} also uses the esinfer stack name "${this.stackName}": give each ElasticsearchCluster its own stackName`,
      );
    return problems;
  }
}

/** The connection in esinfer's (manifest) shape. */
function connectionOf(props: ElasticsearchClusterProps): ClusterConfig {
  const auth = props.auth as Partial<Record<"apiKey" | "username" | "password" | "bearerToken", unknown>> | undefined;
  const config: Record<string, unknown> = {
    url: props.url,
    urls: props.urls ? [...props.urls] : undefined,
    cloud_id: props.cloudId,
    api_key: auth?.apiKey,
    username: auth?.username,
    password: auth?.password,
    bearer_token: auth?.bearerToken,
    ca_file: props.caFile,
    ca_fingerprint: props.caFingerprint,
    insecure: props.insecure,
    request_timeout_ms: props.requestTimeoutMs,
  };
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as ClusterConfig;
}

/** Which cluster this is, for the anchor's identity: its address(es), or the environment's. */
function clusterIdentity(connection: ClusterConfig): string {
  if (connection.url) return `url:${connection.url}`;
  if (connection.urls) return `urls:${[...connection.urls].sort().join(",")}`;
  if (connection.cloud_id) return `cloud:${connection.cloud_id}`;
  return "environment";
}
