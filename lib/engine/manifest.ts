/**
 * JSON manifests: `{"stack": "name", "cluster": {...}, "endpoints": [...], "absent": [...], "state": {...}}`.
 * Endpoints are in Elasticsearch request shape with secrets as references; a literal secret anywhere is an error
 * that says how to reference it. Every problem is reported at once.
 */
import { NotAFileError, readRegularFile } from "./state/file-access";
import { decodeUtf8 } from "../model/text";
import { EsinferError } from "../errors";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { inferenceIdProblems, isSecretRef } from "../catalogue";
import {
  ValidationError,
  declarationToRequest,
  didYouMean,
  validateRequests,
  type EndpointDeclaration,
  type ValidationIssue,
} from "../model";
import { describeJsonError } from "../model/json-error";
import { snakeCase } from "../model/schema-walk";
import { CLUSTER_SECRET_KEYS, ClusterConfigSchema, clusterConfigConflicts, type ClusterConfig } from "./cluster-config";
import { STACK_NAME_PATTERN, type StateConfig, type Stack } from "./stack";

const TOP_KEYS = ["stack", "cluster", "endpoints", "absent", "state"];

const StateConfigSchema = z.union([
  z.strictObject({ backend: z.literal("file"), path: z.string().min(1).optional() }),
  z.strictObject({ backend: z.literal("cluster"), index: z.string().min(1).optional() }),
]);

const issue = (
  endpoint: string,
  path: string,
  message: string,
  extra: Partial<ValidationIssue> = {},
): ValidationIssue => ({
  endpoint,
  path,
  message,
  ...extra,
});

/** Validates a parsed manifest; returns the stack or every problem found. */
export function parseManifest(
  value: unknown,
  options: { baseDir: string },
): { stack?: Stack; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  const m = "manifest";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { issues: [issue(m, "", 'must be an object: {"stack": "name", "cluster": {...}, "endpoints": [...]}')] };
  }
  const doc = value as Record<string, unknown>;
  for (const key of Object.keys(doc).filter((k) => !TOP_KEYS.includes(k)))
    issues.push(
      issue(m, key, "is not a manifest field", { hint: didYouMean(key, TOP_KEYS), allowed: TOP_KEYS.join(", ") }),
    );

  const name = doc.stack;
  if (typeof name !== "string" || !STACK_NAME_PATTERN.test(name))
    issues.push(
      issue(m, "stack", name === undefined ? "is required" : "must be a name of letters, digits, _, - and .", {
        allowed: 'e.g. "prod" or "search-dev"',
      }),
    );

  const cluster = parseCluster(doc.cluster, issues);

  let endpoints: Stack["endpoints"] = [];
  if (!Array.isArray(doc.endpoints)) {
    issues.push(
      issue(
        m,
        "endpoints",
        doc.endpoints === undefined
          ? "is required (an array, possibly empty)"
          : "must be an array of endpoints in request shape",
      ),
    );
  } else {
    const result = validateRequests(doc.endpoints, { literalSecrets: "reject" });
    issues.push(...result.issues);
    endpoints = result.endpoints;
  }

  const absent: string[] = [];
  if (doc.absent !== undefined) {
    if (!Array.isArray(doc.absent)) issues.push(issue(m, "absent", "must be an array of inference ids"));
    else
      doc.absent.forEach((id, i) => {
        if (typeof id !== "string") return issues.push(issue(m, `absent[${i}]`, "must be an inference id string"));
        for (const p of inferenceIdProblems(id)) issues.push(issue(id, `absent[${i}]`, p.message));
        if (
          Array.isArray(doc.endpoints) &&
          doc.endpoints.some((e) => (e as { inference_id?: unknown })?.inference_id === id)
        )
          issues.push(issue(id, `absent[${i}]`, "is both declared and declared absent"));
        absent.push(id);
      });
  }

  let state: StateConfig = { backend: "file" };
  if (doc.state !== undefined) {
    const parsed = StateConfigSchema.safeParse(doc.state);
    if (parsed.success) state = parsed.data;
    else
      issues.push(
        issue(m, "state", 'must be {"backend": "file", "path"?: "..."} or {"backend": "cluster", "index"?: "..."}'),
      );
  }

  if (issues.length > 0 || !cluster || typeof name !== "string") return { issues };
  return { stack: { name, cluster, endpoints, absent, state, baseDir: options.baseDir }, issues: [] };
}

function parseCluster(raw: unknown, issues: ValidationIssue[]): ClusterConfig | undefined {
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    issues.push(
      issue(
        "cluster",
        "cluster",
        'must be an object such as {"url": "https://localhost:9200", "api_key": {"env": "ES_API_KEY"}}',
      ),
    );
    return undefined;
  }
  const fields = raw as Record<string, unknown>;
  let ok = true;
  for (const key of CLUSTER_SECRET_KEYS) {
    const v = fields[key];
    if (v !== undefined && !isSecretRef(v)) {
      ok = false;
      issues.push(
        issue(
          "cluster",
          `cluster.${key}`,
          typeof v === "string"
            ? "is a literal credential, which esinfer never stores; declare a reference instead"
            : "must be a secret reference",
          {
            allowed: `{"env": "${key === "api_key" ? "ES_API_KEY" : key === "password" ? "ES_PASSWORD" : "ES_BEARER_TOKEN"}"} or {"file": "PATH"}`,
          },
        ),
      );
    }
  }
  for (const [key, message] of clusterConfigConflicts(fields)) {
    ok = false;
    issues.push(issue("cluster", `cluster.${key}`, message));
  }
  const parsed = ClusterConfigSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const path = ["cluster", ...i.path.map(String)].join(".");
      if (CLUSTER_SECRET_KEYS.some((k) => path === `cluster.${k}`) && !ok) continue;
      if (i.code === "unrecognized_keys")
        for (const key of i.keys)
          issues.push(
            issue("cluster", `cluster.${key}`, "is not a cluster setting", {
              hint: didYouMean(key, Object.keys(ClusterConfigSchema.shape)),
              allowed: Object.keys(ClusterConfigSchema.shape).join(", "),
            }),
          );
      else issues.push(issue("cluster", path, i.message));
    }
    return undefined;
  }
  return ok ? parsed.data : undefined;
}

/** Reads and validates a manifest file; throws a `ValidationError` with every problem. */
export async function loadManifest(path: string): Promise<Stack> {
  const file = resolve(path);
  let bytes: Buffer | undefined;
  try {
    // Never blocks on a FIFO; a directory or a device is named as such.
    bytes = await readRegularFile(file);
  } catch (e) {
    const why = e instanceof NotAFileError ? `it is ${e.kind}, not a file` : (e as Error).message;
    throw new ManifestReadError(`cannot read manifest ${path}: ${why}`);
  }
  if (bytes === undefined) throw new ManifestReadError(`cannot read manifest ${path}: no such file`);
  let text: string;
  try {
    text = decodeUtf8(bytes, `manifest ${path}`);
  } catch (e) {
    throw new ManifestReadError((e as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ManifestReadError(`manifest ${path} is not valid JSON: ${describeJsonError(text, e as Error)}`);
  }
  const { stack, issues } = parseManifest(value, { baseDir: dirname(file) });
  if (!stack) throw new ValidationError(issues, `Invalid manifest ${path}`);
  return stack;
}

export class ManifestReadError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_MANIFEST_UNREADABLE" });
  }
}

/** Options of `defineStack`: TypeScript declarations (camelCase) and a camelCase cluster configuration. */
export interface StackDefinition {
  name: string;
  cluster?: {
    url?: string;
    urls?: string[];
    cloudId?: string;
    apiKey?: { env: string } | { file: string };
    username?: string;
    password?: { env: string } | { file: string };
    bearerToken?: { env: string } | { file: string };
    caFile?: string;
    caFingerprint?: string;
    insecure?: boolean;
    requestTimeoutMs?: number;
  };
  endpoints: readonly EndpointDeclaration[];
  absent?: readonly string[];
  state?: StateConfig;
  /** Relative paths are resolved against this directory (default: the working directory). */
  baseDir?: string;
}

/** A stack from TypeScript; throws a `ValidationError` listing every problem. */
export function defineStack(definition: StackDefinition): Stack {
  const cluster = Object.fromEntries(Object.entries(definition.cluster ?? {}).map(([k, v]) => [snakeCase(k), v]));
  const { stack, issues } = parseManifest(
    {
      stack: definition.name,
      cluster,
      endpoints: definition.endpoints.map((d) => declarationToRequest(d)),
      ...(definition.absent ? { absent: definition.absent } : {}),
      ...(definition.state ? { state: definition.state } : {}),
    },
    { baseDir: definition.baseDir ?? process.cwd() },
  );
  if (!stack) throw new ValidationError(issues, `Invalid stack ${definition.name}`);
  return stack;
}
