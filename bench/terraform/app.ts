/**
 * The app the Terraform-path benchmark synthesizes (in a child process, as `cdktf synth` runs an app): the bench's
 * N declarations as InferenceEndpoint constructs on one cluster.
 *
 *   node --import tsx bench/terraform/app.ts '{"n":100,"variant":"base","url":"...","outdir":"...","projectDir":"..."}'
 */
import { App, LocalBackend, TerraformStack } from "cdktf";
import { ElasticsearchCluster, InferenceEndpoint, requestToDeclaration, type InferenceEndpointProps } from "../../lib";
import { declarations, type Declaration } from "../declarations";

export interface BenchApp {
  readonly n: number;
  /** `base`: the bench's declarations; `updated`: every endpoint changed in place (see `updated`). */
  readonly variant: "base" | "updated";
  readonly url: string;
  readonly outdir: string;
  readonly projectDir: string;
}

/**
 * Every endpoint changed in a way `_update` applies: OpenAI's `user` and Cohere's `top_n` task settings, ELSER's
 * allocations (it has no task settings).
 */
export function updated(d: Declaration): Declaration {
  if (d.service === "openai") return { ...d, task_settings: { user: `${d.task_settings!.user}-v2` } };
  if (d.service === "cohere") return { ...d, task_settings: { top_n: Number(d.task_settings!.top_n) + 1 } };
  const allocations = Number(d.service_settings.num_allocations);
  return { ...d, service_settings: { ...d.service_settings, num_allocations: allocations + 1 } };
}

if (require.main === module) {
  const request = JSON.parse(process.argv[2] ?? "") as BenchApp;
  const app = new App({ outdir: request.outdir, context: { "esinfer:projectDir": request.projectDir } });
  const stack = new TerraformStack(app, "bench");
  new LocalBackend(stack, { path: "terraform.tfstate" });
  const declared = declarations(request.n).map((d) => (request.variant === "updated" ? updated(d) : d));
  const cluster = new ElasticsearchCluster(stack, "cluster", { url: request.url, stackName: "bench" });
  for (const d of declared)
    new InferenceEndpoint(stack, d.inference_id, { cluster, ...requestToDeclaration(d) } as InferenceEndpointProps);
  app.synth();
}
