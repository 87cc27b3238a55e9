/**
 * How a stack reaches its cluster. Credentials are secret references only (`{"env": ...}` / `{"file": ...}`),
 * resolved when the client is built; with no endpoint configured, the Elastic Terraform provider's environment
 * variables apply (ELASTICSEARCH_URL / ELASTICSEARCH_ENDPOINTS, ELASTICSEARCH_API_KEY, ...).
 */
import { z } from "zod";
import { SecretRefSchema, type SecretRef } from "../catalogue";
import { connectionFromEnv, type Auth, type ConnectionOptions } from "../client";
import { EsinferError } from "../errors";
import { SecretResolutionError, resolveSecret, type SecretSource } from "../model";

/** A stack whose cluster cannot be reached as configured (nothing configured, for one). */
export class ClusterConfigError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_CLUSTER_CONFIG" });
  }
}

/** A node URL: http or https only (a `javascript:` or `file:` URL is never a cluster). */
const NodeUrlSchema = z
  .string()
  .url("must be a URL such as https://localhost:9200")
  .refine((url) => /^https?:\/\//i.test(url), "must be an http:// or https:// URL, such as https://localhost:9200");

export const ClusterConfigSchema = z.strictObject({
  url: NodeUrlSchema.optional(),
  urls: z.array(NodeUrlSchema).min(1).optional(),
  cloud_id: z.string().min(1).optional(),
  api_key: SecretRefSchema.optional(),
  username: z.string().min(1).optional(),
  password: SecretRefSchema.optional(),
  bearer_token: SecretRefSchema.optional(),
  ca_file: z.string().min(1).optional(),
  ca_fingerprint: z.string().min(1).optional(),
  insecure: z.boolean().optional(),
  /** Per-request timeout of the client, in milliseconds. */
  request_timeout_ms: z.number().int().positive().optional(),
});

/**
 * Rules across the cluster's fields, as `[field, message]` pairs. Checked on the raw object, apart from the
 * schema, so they are reported together with any other problem of the cluster.
 */
export function clusterConfigConflicts(raw: Readonly<Record<string, unknown>>): [string, string][] {
  const problems: [string, string][] = [];
  const set = (key: string) => raw[key] !== undefined;
  if (["url", "urls", "cloud_id"].filter(set).length > 1)
    problems.push(["url", "set only one of url, urls and cloud_id"]);
  const auth = [set("api_key"), set("password") || set("username"), set("bearer_token")].filter(Boolean).length;
  if (auth > 1) problems.push(["api_key", "set only one of api_key, username/password and bearer_token"]);
  if (set("username") !== set("password"))
    problems.push([set("username") ? "password" : "username", "username and password go together"]);
  return problems;
}

export type ClusterConfig = z.infer<typeof ClusterConfigSchema>;

/** Keys of the cluster config that hold credentials: literals there are refused. */
export const CLUSTER_SECRET_KEYS = ["api_key", "password", "bearer_token"] as const;

/**
 * The client's connection options, resolving credential references now (and only now). `stack` names the stack in
 * the connection's `sources`, so that an unreachable node or a refused credential says which setting of which stack
 * (or which environment variable) it came from.
 */
export function connectionFor(
  cluster: ClusterConfig,
  source: SecretSource & { env: Readonly<Record<string, string | undefined>>; stack?: string },
): ConnectionOptions {
  const nodes = cluster.urls ?? (cluster.url ? [cluster.url] : undefined);
  const of = (key: string) => `cluster.${key}${source.stack ? ` of stack ${source.stack}` : ""}`;
  const timeout = cluster.request_timeout_ms ? { requestTimeoutMs: cluster.request_timeout_ms } : {};
  if (!nodes && !cluster.cloud_id) {
    const fromEnv = connectionFromEnv(source.env as NodeJS.ProcessEnv);
    if (!fromEnv)
      throw new ClusterConfigError(
        "no cluster configured: set cluster.url (or urls, cloud_id) in the stack, or ELASTICSEARCH_URL / " +
          "ELASTICSEARCH_ENDPOINTS in the environment",
      );
    return { ...fromEnv, ...timeout };
  }
  const credential = (key: string, ref: SecretRef) => {
    try {
      return resolveSecret(ref, source);
    } catch (e) {
      if (e instanceof SecretResolutionError)
        throw new SecretResolutionError(`cluster.${key}: ${e.message.replace(/ \(it holds a secret.*\)$/, "")}`);
      throw e;
    }
  };
  const authKey = cluster.api_key
    ? "api_key"
    : cluster.password && cluster.username
      ? "password"
      : cluster.bearer_token
        ? "bearer_token"
        : undefined;
  const authRef = authKey ? cluster[authKey] : undefined;
  let auth: Auth | undefined;
  if (authKey && authRef) {
    const value = credential(authKey, authRef);
    auth =
      authKey === "api_key"
        ? { apiKey: value }
        : authKey === "password"
          ? { username: cluster.username!, password: value }
          : { bearerToken: value };
  }
  const caKey = cluster.insecure
    ? "insecure"
    : cluster.ca_file
      ? "ca_file"
      : cluster.ca_fingerprint
        ? "ca_fingerprint"
        : undefined;
  return {
    ...(nodes ? { nodes } : { cloudId: cluster.cloud_id! }),
    ...(auth ? { auth } : {}),
    ...(cluster.ca_file ? { caFile: cluster.ca_file } : {}),
    ...(cluster.ca_fingerprint ? { caFingerprint: cluster.ca_fingerprint } : {}),
    ...(cluster.insecure ? { insecure: true } : {}),
    ...timeout,
    sources: {
      nodes: of(nodes ? (cluster.urls ? "urls" : "url") : "cloud_id"),
      ...(authKey && authRef ? { auth: `${describeRef(authRef)} (${of(authKey)})` } : {}),
      ...(caKey ? { ca: of(caKey) } : {}),
    },
  };
}

/** A credential reference as a user wrote it: the variable's name or the file's path (never its value). */
function describeRef(ref: SecretRef): string {
  return "env" in ref ? `the environment variable ${ref.env}` : `the file ${ref.file}`;
}

/** Where the cluster is, for headers and messages (never credentials). */
export function describeCluster(cluster: ClusterConfig, env: Readonly<Record<string, string | undefined>>): string {
  const url =
    cluster.urls?.[0] ?? cluster.url ?? (cluster.cloud_id ? `cloud id ${cluster.cloud_id.split(":")[0]}` : undefined);
  const fallback = env.ELASTICSEARCH_URL ?? env.ELASTICSEARCH_ENDPOINTS?.split(",")[0]?.trim();
  const raw = url ?? fallback ?? "(not configured)";
  return raw.replace(/\/\/[^/@]*@/, "//");
}
