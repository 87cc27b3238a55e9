/** CDK for Terraform constructs (cdktf 0.21 or CDK Terrain 0.24): inference endpoints as Terraform resources. */
export { ElasticsearchCluster, PROJECT_DIR_CONTEXT, type ClusterAuth, type ElasticsearchClusterProps } from "./cluster";
export { InferenceEndpoint, type InferenceEndpointOptions, type InferenceEndpointProps } from "./endpoint";
export type { HookResourceType } from "./hook-contract";
export { UnsupportedCdkError } from "./cdk-version";
