/**
 * The in-cluster services (`elasticsearch`, and its deprecated alias `elser`) on create, as
 * ElasticsearchInternalService.parseRequestConfig resolves them: an existing deployment (`deployment_id`), or a
 * model — a built-in one (ELSER, E5, the Elastic reranker, with their platform variants) or one uploaded to the
 * cluster with Eland — deployed with `num_threads` and `num_allocations` or adaptive allocations.
 *
 * The emulated cluster runs on linux-x86_64 (an emulator choice: that variant is what most clusters run), so both
 * the portable and the `_linux-x86_64` variants of the built-in models are available; any other model_id must name
 * an Eland model given to the emulator (`trainedModels`), else the server's "does not match any models" error.
 */
import { BUILT_IN_MODELS, builtInModelOf, isRetiredBuiltInModel } from "../catalogue";
import { illegalArgument, msg } from "./errors";

/** Model an endpoint of the deprecated `elser` service deploys when none is named (the platform's ELSER variant). */
export const ELSER_MODEL_ID = BUILT_IN_MODELS.elser.ids[0];

const present = (raw: Readonly<Record<string, unknown>>, k: string) =>
  Object.hasOwn(raw, k) && raw[k] !== undefined && raw[k] !== null;

/**
 * The model checks made before the service settings are parsed, in the server's order: a deployment id skips them;
 * a missing model_id is the elser alias's default or an error; a model that is neither built in nor uploaded is
 * refused. Throws the server's error.
 */
export function checkInClusterModel(
  service: string,
  raw: Readonly<Record<string, unknown>>,
  elandModels: ReadonlySet<string>,
): void {
  if (present(raw, "deployment_id")) return;
  if (!present(raw, "model_id")) {
    if (service === "elser") return;
    throw illegalArgument("Error parsing service settings, model_id must be provided");
  }
  const modelId = raw.model_id;
  if (typeof modelId === "string" && builtInModelOf(modelId) === undefined && !elandModels.has(modelId))
    throw illegalArgument(
      `Error parsing request config, model id does not match any models available on this platform. Was [${modelId}]. You may need to load it into the cluster using eland.`,
    );
}

/**
 * The platform check of a built-in model, made once its service settings parsed (elserCase): a retired id (ELSER
 * v1) is neither this platform's variant nor the portable one.
 */
export function checkModelVariant(raw: Readonly<Record<string, unknown>>): void {
  if (present(raw, "deployment_id") || !isRetiredBuiltInModel(raw.model_id)) return;
  throw illegalArgument(
    `Error parsing request config, model id does not match any models available on this platform. Was [${String(raw.model_id)}]. You may need to use a platform agnostic model.`,
  );
}

/**
 * Whether unknown task settings are refused: only for a model uploaded with Eland (customElandCase). The built-in
 * models' cases (e5Case, elserCase, rerankerCase) and an existing deployment read the settings they know and drop
 * the rest.
 */
export function refusesUnknownTaskSettings(raw: Readonly<Record<string, unknown>>): boolean {
  if (present(raw, "deployment_id") || !present(raw, "model_id")) return false;
  return builtInModelOf(raw.model_id) === undefined;
}

/** ElasticsearchInternalServiceSettings.fromRequestMap's own requirements (beyond field types). */
export function inClusterErrors(service: string, raw: Readonly<Record<string, unknown>>): string[] {
  const errors: string[] = [];
  const usesDeployment = present(raw, "deployment_id");
  // elser's schema already requires num_threads; elasticsearch's only when no existing deployment is named.
  if (service === "elasticsearch" && !usesDeployment && !present(raw, "num_threads"))
    errors.push(msg.missingSetting("service_settings", "num_threads"));
  if (!usesDeployment && !present(raw, "num_allocations") && !present(raw, "adaptive_allocations"))
    errors.push(msg.missingOneOf("service_settings", ["num_allocations", "adaptive_allocations"]));
  return errors;
}

/** The stored in-cluster settings, in the server's `toXContent` order. */
export function inClusterSettings(
  id: string,
  service: string,
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const usesDeployment = values.deployment_id !== undefined;
  if (values.num_allocations !== undefined) out.num_allocations = values.num_allocations;
  else if (usesDeployment && values.adaptive_allocations === undefined) out.num_allocations = 1; // from the deployment (inferred)
  out.num_threads = values.num_threads ?? 1;
  out.model_id = values.model_id ?? (service === "elser" ? ELSER_MODEL_ID : values.deployment_id);
  if (values.adaptive_allocations !== undefined) out.adaptive_allocations = values.adaptive_allocations;
  out.deployment_id = values.deployment_id ?? id;
  for (const extra of ["long_document_strategy", "max_chunks_per_doc"])
    if (values[extra] !== undefined) out[extra] = values[extra];
  return out;
}
