/** Synthesizing CDK for Terraform apps with esinfer's constructs in-process, into temporary directories. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Construct } from "constructs";
import { tempDir } from "./stack";

export type Runtime = "cdktf" | "cdktn";

export interface Synthesized {
  /** The parsed cdk.tf.json of the stack. */
  readonly json: TerraformJson;
  /** The text of cdk.tf.json (to search for leaks). */
  readonly text: string;
  readonly outdir: string;
  readonly projectDir: string;
}

export interface TerraformJson {
  resource?: Record<string, Record<string, TerraformResourceJson>>;
  provider?: Record<string, unknown>;
  terraform?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface TerraformResourceJson {
  triggers_replace?: Record<string, string>;
  triggers?: Record<string, string>;
  input?: Record<string, string>;
  provisioner?: { "local-exec": LocalExec }[];
  lifecycle?: Record<string, unknown>;
  depends_on?: string[];
  [key: string]: unknown;
}

export interface LocalExec {
  command: string;
  interpreter?: string[];
  environment?: Record<string, string>;
  when?: string;
  [key: string]: unknown;
}

/** Builds a stack with `build` and synthesizes it (validations included); throws what synthesis throws. */
export function synthStack(
  build: (stack: Construct) => void,
  options: { runtime?: Runtime; projectDir?: string; stackId?: string; outdir?: string } = {},
): Synthesized {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cdk = require(options.runtime ?? "cdktf") as typeof import("cdktf");
  const projectDir = options.projectDir ?? tempDir("esinfer-project-");
  const outdir = options.outdir ?? join(projectDir, "cdktf.out");
  const app = new cdk.App({ outdir, context: { "esinfer:projectDir": projectDir } });
  const stackId = options.stackId ?? "search";
  const stack = new cdk.TerraformStack(app, stackId);
  build(stack);
  app.synth();
  const text = readFileSync(join(outdir, "stacks", stackId, "cdk.tf.json"), "utf8");
  return { json: JSON.parse(text) as TerraformJson, text, outdir, projectDir };
}

/** esinfer's resources of a synthesized stack, by kind (`cluster`, `stack`, `identity`, `endpoint`). */
export function esinferResources(
  json: TerraformJson,
  type = "terraform_data",
): { address: string; kind: string; values: Record<string, string>; body: TerraformResourceJson }[] {
  return Object.entries(json.resource?.[type] ?? {}).flatMap(([address, body]) => {
    const values = { ...body.triggers, ...body.triggers_replace, ...body.input };
    return values.esinfer ? [{ address, kind: values.esinfer, values, body }] : [];
  });
}
