/**
 * `ElasticsearchCluster`: the cluster a set of inference endpoints lives in, and the esinfer stack they form (one
 * state: which endpoints the stack owns). Besides the connection, it synthesizes two resources (see
 * hook-contract.ts): the anchor, whose destroy-time hook deletes what the stack owns, and the runner, replaced
 * whenever any endpoint's record changes, whose create hook applies the whole stack. When the app synthesizes, it
 * looks the stack up in the cluster (unless told not to) so that each record says whether its endpoint drifted.
 */
import { Construct } from "constructs";
import { resolve } from "node:path";
import type { EnvSecretRef } from "../catalogue";
import { STACK_NAME_PATTERN, parseManifest, type ClusterConfig, type StateConfig } from "../engine";
import { canonicalJson, formatIssue, type CanonicalEndpoint } from "../model";
import { cdkFor } from "./cdk";
import {
  CONNECTION_KEYS,
  LOOKUP_ENV,
  NO_DRIFT,
  SYNTHESIZED_FILE,
  isOff,
  type ConnectionKey,
  type HookResourceType,
  type RecordValues,
} from "./hook-contract";
import { hookResource, type HookResource } from "./hook-resource";
import { hookPaths, type HookPaths } from "./locate";
import { lookUpDrift } from "./lookup";
import { readDriftMarkers } from "./read-synthesized";
import { stackDigest } from "./stack-digest";

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
  /**
   * Look the stack up in the cluster when the app synthesizes, so that `terraform plan` (and `cdktf diff`) shows
   * endpoints changed outside Terraform, deleted, or whose secret was rotated, as changes of their `last_drift`
   * (see docs/terraform.md). Needs the cluster, its credentials and, to see rotation, the secrets' environment
   * variables where the app synthesizes; an unreachable cluster prints a warning and synthesis carries on.
   * Default true; `ESINFER_LOOKUP=0` in the environment turns it off for every cluster (offline synthesis).
   */
  readonly lookup?: boolean;
}

/** What an endpoint construct registers with its cluster. */
export interface RegisteredEndpoint {
  readonly inferenceId: string;
  readonly path: string;
  /** The canonical declaration; undefined when the props are invalid (synthesis then fails validation). */
  readonly declaration: CanonicalEndpoint | undefined;
  /** The endpoint's own `allowInUse`, if set. */
  readonly allowInUse?: boolean;
  /** Server-side timeout of its create. */
  readonly timeout?: string;
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
  /** @internal The anchor every endpoint record's identity references, and the runner records depend on. */
  readonly anchor: HookResource;
  /** @internal */
  readonly runner: HookResource;
  private readonly lookup: boolean;
  private readonly projectDir: string;
  /** Where this stack was synthesized before (its records' drift markers are kept when no lookup is made). */
  private readonly synthesizedFile: string;
  private readonly endpoints: RegisteredEndpoint[] = [];
  private readonly absentIds: string[] = [];
  #records: ReadonlyMap<string, RecordValues> | undefined;

  constructor(scope: Construct, id: string, props: ElasticsearchClusterProps = {}) {
    super(scope, id);
    Object.defineProperty(this, CLUSTER_MARKER, { value: true });
    const cdk = cdkFor(this);
    const terraformStack = cdk.TerraformStack.of(this);
    this.stackName = props.stackName ?? terraformStack.node.id;
    this.resourceType = props.resourceType ?? "terraform_data";
    this.allowInUse = props.allowInUse ?? false;
    this.lookup = props.lookup ?? true;
    this.connection = connectionOf(props);
    this.stateConfig = props.state ?? { backend: "file" };
    this.projectDir = resolve((this.node.tryGetContext(PROJECT_DIR_CONTEXT) as string | undefined) ?? process.cwd());
    const outdir = cdk.App.of(this).outdir;
    this.paths = hookPaths(outdir, terraformStack.node.id, this.projectDir);
    this.synthesizedFile = resolve(outdir, "stacks", terraformStack.node.id, SYNTHESIZED_FILE);
    this.node.addValidation({ validate: () => this.problems(props) });

    const connectionValues = () => this.connectionValues();
    this.anchor = hookResource(this, "cluster", {
      type: this.resourceType,
      kind: "cluster",
      identity: () => ({ stack: this.stackName, cluster: clusterIdentity(this.connection) }),
      input: connectionValues,
      keptOnNull: CONNECTION_KEYS,
      destroy: "destroy",
      paths: this.paths,
    });
    this.runner = hookResource(this, "apply", {
      type: this.resourceType,
      kind: "apply",
      identity: () => ({
        stack: this.stackName,
        cluster_anchor: this.anchor.id,
        digest: stackDigest([...this.records().values()], this.absentIds),
        absent: JSON.stringify([...this.absentIds].sort()),
      }),
      input: connectionValues,
      keptOnNull: CONNECTION_KEYS,
      create: "apply",
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

  /** @internal What an endpoint's record carries (at synthesis, once every endpoint is registered). */
  recordOf(inferenceId: string): RecordValues {
    return this.records().get(inferenceId)!;
  }

  /** Where the hooks find the cluster and the state, and the cluster's in-use rule; updated in place. */
  private connectionValues(): Record<ConnectionKey, string> {
    return {
      connection: canonicalJson(this.connection),
      state: canonicalJson(this.stateConfig),
      project_dir: this.paths.projectDir,
      allow_in_use: String(this.allowInUse),
    };
  }

  /** Every endpoint's record, worked out once at synthesis: the lookup (or the kept markers) included. */
  private records(): ReadonlyMap<string, RecordValues> {
    if (this.#records) return this.#records;
    const markers = this.driftMarkers();
    const records = new Map<string, RecordValues>();
    for (const e of this.endpoints)
      records.set(e.inferenceId, {
        // Invalid props fail validation before anything is synthesized; the placeholder is never written.
        declaration: e.declaration ? canonicalJson(e.declaration) : "{}",
        last_drift: markers.get(e.inferenceId) ?? NO_DRIFT,
        allow_in_use: String(e.allowInUse ?? this.allowInUse),
        timeout: e.timeout ?? "",
      });
    return (this.#records = records);
  }

  /**
   * Each endpoint's `last_drift`: from a lookup of the cluster, or, without one (turned off, or the cluster could
   * not be read), as the previous synthesis of this stack wrote it, so that an offline synthesis changes nothing.
   */
  private driftMarkers(): ReadonlyMap<string, string> {
    const kept = () => readDriftMarkers(this.synthesizedFile, this.stackName);
    if (!this.lookup || isOff(process.env[LOOKUP_ENV]) || this.endpoints.length === 0) return kept();
    const result = lookUpDrift({
      stack: this.stackName,
      cluster: this.connection,
      state: this.stateConfig,
      endpoints: this.endpoints.flatMap((e) => (e.declaration ? [e.declaration] : [])),
      absent: [...this.absentIds],
      project_dir: this.projectDir,
    });
    if ("markers" in result) return result.markers;
    process.stderr.write(
      `Warning: esinfer stack ${this.stackName}: could not look the endpoints up in the cluster (${result.problem}); ` +
        "terraform plan will not show endpoints changed outside Terraform or rotated secrets. Set ESINFER_LOOKUP=0 " +
        "(or lookup: false on the ElasticsearchCluster) to synthesize offline without this warning.\n",
    );
    return kept();
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
