/**
 * Connection options from the environment, with the Elastic Terraform provider's variable names. Errors name the
 * variables at fault, never a credential value.
 */
import * as fs from "node:fs";
import { ConfigurationError } from "../errors";
import { registerSecretValue } from "../redact";
import { decodeCloudId } from "./cloud-id";
import { normalizeFingerprint, parseNodeUrl, type ConnectionOptions } from "./options";

/** Environment variables read by {@link connectionFromEnv}. */
export const ENV = {
  endpoints: "ELASTICSEARCH_ENDPOINTS",
  url: "ELASTICSEARCH_URL",
  cloudId: "ELASTICSEARCH_CLOUD_ID",
  apiKey: "ELASTICSEARCH_API_KEY",
  username: "ELASTICSEARCH_USERNAME",
  password: "ELASTICSEARCH_PASSWORD",
  bearerToken: "ELASTICSEARCH_BEARER_TOKEN",
  caFile: "ELASTICSEARCH_CA_FILE",
  caFingerprint: "ELASTICSEARCH_CA_FINGERPRINT",
  insecure: "ELASTICSEARCH_INSECURE",
} as const;

// Go's strconv.ParseBool, which the Terraform provider uses for ELASTICSEARCH_INSECURE.
const TRUE_VALUES = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_VALUES = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * Connection options from environment variables, named as the Elastic Terraform provider names them
 * (`ELASTICSEARCH_ENDPOINTS`, `ELASTICSEARCH_USERNAME`, `ELASTICSEARCH_PASSWORD`, `ELASTICSEARCH_API_KEY`,
 * `ELASTICSEARCH_BEARER_TOKEN`, `ELASTICSEARCH_INSECURE`), plus `ELASTICSEARCH_URL`, `ELASTICSEARCH_CLOUD_ID`,
 * `ELASTICSEARCH_CA_FILE` and `ELASTICSEARCH_CA_FINGERPRINT`. Empty values count as unset.
 *
 * Returns undefined when no endpoint (endpoints, URL or Cloud ID) is set. Throws {@link ConfigurationError},
 * naming the variables, for contradictions and malformed values; credential values are registered with the
 * redactor first and never printed.
 */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectionOptions | undefined {
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v;
  };
  const apiKey = get(ENV.apiKey);
  const username = get(ENV.username);
  const password = get(ENV.password);
  const bearerToken = get(ENV.bearerToken);
  // Before anything can fail: no later message may contain these.
  [apiKey, password, bearerToken].forEach((v) => registerSecretValue(v?.trim()));

  const endpointsText = get(ENV.endpoints);
  const urlText = get(ENV.url);
  const cloudId = get(ENV.cloudId);

  const options: ConnectionOptions = {};
  if (cloudId !== undefined) {
    const withCloud = [endpointsText && ENV.endpoints, urlText && ENV.url].filter(Boolean);
    if (withCloud.length > 0) {
      throw new ConfigurationError(
        `${ENV.cloudId} and ${withCloud.join(", ")}: set either a Cloud ID or endpoints, not both`,
      );
    }
    decodeCloudId(cloudId, ENV.cloudId);
    options.cloudId = cloudId.trim();
  } else {
    const nodes: string[] = [];
    if (endpointsText !== undefined) {
      const list = endpointsText
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (list.length === 0) throw new ConfigurationError(`${ENV.endpoints}: contains no URL`);
      list.forEach((u) => parseNodeUrl(u, ENV.endpoints));
      nodes.push(...list);
    }
    if (urlText !== undefined) {
      parseNodeUrl(urlText, ENV.url);
      const u = urlText.trim();
      if (nodes.length > 0 && !(nodes.length === 1 && sameUrl(nodes[0]!, u))) {
        throw new ConfigurationError(`${ENV.endpoints} and ${ENV.url}: both set and they differ; set one`);
      }
      if (nodes.length === 0) nodes.push(u);
    }
    if (nodes.length === 0) return undefined;
    options.nodes = nodes;
  }

  if (apiKey !== undefined && (username !== undefined || password !== undefined)) {
    throw new ConfigurationError(
      `${ENV.apiKey} and ${username !== undefined ? ENV.username : ENV.password}: set an API key or a username and password, not both`,
    );
  }
  if (bearerToken !== undefined && (apiKey !== undefined || username !== undefined || password !== undefined)) {
    const other = apiKey !== undefined ? ENV.apiKey : username !== undefined ? ENV.username : ENV.password;
    throw new ConfigurationError(`${ENV.bearerToken} and ${other}: set only one kind of credential`);
  }
  if (password !== undefined && username === undefined) {
    throw new ConfigurationError(`${ENV.password} is set but ${ENV.username} is not`);
  }
  if (username !== undefined && password === undefined) {
    throw new ConfigurationError(`${ENV.username} is set but ${ENV.password} is not`);
  }
  if (apiKey !== undefined) options.auth = { apiKey: apiKey.trim() };
  else if (bearerToken !== undefined) options.auth = { bearerToken: bearerToken.trim() };
  else if (username !== undefined && password !== undefined) options.auth = { username, password };

  const caFile = get(ENV.caFile);
  if (caFile !== undefined) {
    try {
      fs.accessSync(caFile, fs.constants.R_OK);
    } catch (e) {
      throw new ConfigurationError(
        `${ENV.caFile}: cannot read "${caFile}" (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`,
      );
    }
    options.caFile = caFile;
  }
  const fingerprint = get(ENV.caFingerprint);
  if (fingerprint !== undefined) {
    normalizeFingerprint(fingerprint, ENV.caFingerprint);
    options.caFingerprint = fingerprint.trim();
  }
  const insecure = get(ENV.insecure);
  if (insecure !== undefined) {
    const v = insecure.trim();
    if (TRUE_VALUES.has(v)) options.insecure = true;
    else if (FALSE_VALUES.has(v)) options.insecure = false;
    else throw new ConfigurationError(`${ENV.insecure}: expected true or false, got "${v.slice(0, 20)}"`);
    if (options.insecure && (caFile !== undefined || fingerprint !== undefined)) {
      throw new ConfigurationError(
        `${ENV.insecure}=true contradicts ${caFile !== undefined ? ENV.caFile : ENV.caFingerprint} (insecure turns verification off)`,
      );
    }
  }
  const ca = (
    options.insecure === true ? [ENV.insecure] : [caFile && ENV.caFile, fingerprint && ENV.caFingerprint]
  ).filter(Boolean);
  options.sources = {
    nodes: cloudId !== undefined ? ENV.cloudId : endpointsText !== undefined ? ENV.endpoints : ENV.url,
    ...(options.auth
      ? {
          auth:
            apiKey !== undefined
              ? ENV.apiKey
              : bearerToken !== undefined
                ? ENV.bearerToken
                : `${ENV.username} and ${ENV.password}`,
        }
      : {}),
    ...(ca.length > 0 ? { ca: ca.join(" and ") } : {}),
  };
  return options;
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href.replace(/\/+$/, "") === new URL(b).href.replace(/\/+$/, "");
  } catch {
    return false;
  }
}
