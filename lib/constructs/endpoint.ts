/**
 * `InferenceEndpoint`: one Elasticsearch inference endpoint as Terraform resources. Its props are the typed
 * endpoint declaration (per service and task type, secrets only as references), validated when the app
 * synthesizes so `cdktf synth` fails with every problem. It synthesizes one record (see hook-contract.ts): its
 * identity (cluster, inference_id, task_type, service) replaces it, its declaration is updated in place, so
 * `terraform plan` shows each endpoint's change as what it is; the cluster's runner applies them all at once.
 */
import { Construct } from "constructs";
import { parseTimeValue } from "../client/inference-client";
import {
  canonicalize,
  formatIssue,
  validateDeclaration,
  type CanonicalEndpoint,
  type EndpointDeclaration,
} from "../model";
import { ElasticsearchCluster } from "./cluster";
import { RECORD_OPTION_KEYS } from "./hook-contract";
import { hookResource } from "./hook-resource";

/** Options every endpoint takes, whatever its service. */
export interface InferenceEndpointOptions {
  /** The cluster (and esinfer stack) the endpoint belongs to. */
  readonly cluster: ElasticsearchCluster;
  /** Server-side timeout of the create request, e.g. `"90s"` (Elasticsearch 8.19 / 9.1 and later). */
  readonly timeout?: string;
  /** Replace or delete the endpoint even when pipelines or `semantic_text` fields use it. Default: the cluster's. */
  readonly allowInUse?: boolean;
}

/**
 * The props of an InferenceEndpoint: a declaration typed by `service` and `taskType` (an editor offers exactly the
 * settings of, say, `openai` + `text_embedding`), plus the cluster.
 */
export type InferenceEndpointProps = EndpointDeclaration & InferenceEndpointOptions;

export class InferenceEndpoint extends Construct {
  readonly inferenceId: string;
  readonly taskType: string;
  readonly service: string;
  readonly cluster: ElasticsearchCluster;
  /** The canonical declaration written into the synthesized stack; undefined when the props are invalid. */
  readonly declaration: CanonicalEndpoint | undefined;

  constructor(scope: Construct, id: string, props: InferenceEndpointProps) {
    super(scope, id);
    const { cluster, timeout, allowInUse, ...declaration } = props;
    if (!ElasticsearchCluster.isElasticsearchCluster(cluster))
      throw new TypeError(`InferenceEndpoint ${this.node.path}: props.cluster must be an ElasticsearchCluster`);
    this.cluster = cluster;
    this.inferenceId = declaration.inferenceId;
    this.taskType = declaration.taskType;
    this.service = declaration.service;

    const result = validateDeclaration(declaration);
    this.declaration = result.endpoint ? canonicalize(result.endpoint) : undefined;
    const problems = result.issues.map(formatIssue);
    if (timeout !== undefined && parseTimeValue(timeout) === undefined)
      problems.push(`${this.inferenceId}: timeout: "${timeout}" is not a duration (e.g. 30s, 2m)`);
    this.node.addValidation({ validate: () => problems });
    cluster.registerEndpoint({
      inferenceId: this.inferenceId,
      path: this.node.path,
      declaration: this.declaration,
      ...(allowInUse !== undefined ? { allowInUse } : {}),
      ...(timeout !== undefined ? { timeout } : {}),
    });

    hookResource(this, "endpoint", {
      type: cluster.resourceType,
      kind: "endpoint",
      identity: () => ({
        stack: cluster.stackName,
        cluster_anchor: cluster.anchor.id,
        inference_id: this.inferenceId,
        task_type: this.taskType,
        service: this.service,
      }),
      input: () => cluster.recordOf(this.inferenceId),
      keptOnNull: RECORD_OPTION_KEYS,
      // Written once the runner applied the stack: a record never claims an endpoint that was not made.
      dependsOn: [cluster.runner],
      paths: cluster.paths,
    });
  }
}
