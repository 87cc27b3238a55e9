/**
 * One esinfer Terraform resource: a `terraform_data` (default: built into Terraform >= 1.4, no provider to
 * download) or a `null_resource` (hashicorp/null through @cdktf/provider-null), optionally with local-exec
 * provisioners that run `node <esinfer> tf <hook>` directly (an interpreter, no shell: values never meet a command
 * line) and pass every value as an environment variable taken from `self`, the only thing destroy-time
 * provisioners may read. Never `create_before_destroy`: Terraform would skip the destroy-time hook of the deposed
 * resource.
 */
import type { Construct } from "constructs";
import { cdkFor, type CdkRuntime } from "./cdk";
import {
  CONNECTION_KEYS,
  HOOK_INPUTS,
  KIND_KEY,
  escapeTerraform,
  type HookCommand,
  type HookKind,
  type HookResourceType,
} from "./hook-contract";
import type { HookPaths } from "./locate";

export interface HookResourceSpec {
  readonly type: HookResourceType;
  readonly kind: HookKind;
  /**
   * Values whose change replaces the resource: literal strings, or tokens referencing other resources. Produced
   * when the stack is synthesized (some are known only then: the runner's digest).
   */
  readonly identity: () => Readonly<Record<string, string>>;
  /** Values whose change updates the resource in place (terraform_data's `input`), produced at synthesis. */
  readonly input: () => Readonly<Record<string, string>>;
  /**
   * Input keys whose change must not replace a null_resource either (kept in its `triggers` under
   * `ignore_changes`); a change of any other input key replaces a null_resource, which has nothing updatable.
   */
  readonly keptOnNull: readonly string[];
  readonly create?: HookCommand;
  readonly destroy?: HookCommand;
  readonly paths: HookPaths;
  /** Resources Terraform must create (and run the hooks of) before this one. */
  readonly dependsOn?: readonly HookResource[];
}

/** A synthesized esinfer resource: its id, as a token other resources reference. */
export interface HookResource {
  readonly id: string;
  /** @internal The cdktf resource (for `dependsOn`). */
  readonly resource: InstanceType<CdkRuntime["TerraformResource"]>;
}

type Attributes = Record<string, unknown>;

export function hookResource(scope: Construct, id: string, spec: HookResourceSpec): HookResource {
  const cdk = cdkFor(scope);
  const Resource = hookResourceClass(cdk);
  const isNull = spec.type === "null_resource";
  const provider = isNull ? nullProvider(cdk, scope) : undefined;
  const escape = (values: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [k, cdk.Token.isUnresolved(v) ? v : escapeTerraform(v)]));
  const identity = () => ({ [KIND_KEY]: spec.kind, ...escape(spec.identity()) });
  const attributes = (): Attributes =>
    isNull
      ? { triggers: { ...identity(), ...escape(spec.input()) } }
      : { triggers_replace: identity(), input: escape(spec.input()) };

  // The hooks read where the cluster and the state are from the input (updated in place), the rest from the identity.
  const from = (key: string) =>
    isNull
      ? `\${self.triggers.${key}}`
      : `\${self.${(CONNECTION_KEYS as readonly string[]).includes(key) ? "input" : "triggers_replace"}.${key}}`;
  const provisioner = (command: HookCommand, when?: "destroy") => ({
    type: "local-exec" as const,
    interpreter: ["node", spec.paths.bin, "tf"],
    command,
    environment: Object.fromEntries(Object.entries(HOOK_INPUTS[command]).map(([env, key]) => [env, from(key)])),
    ...(when ? { when } : {}),
  });

  const provisioners = [
    ...(spec.create ? [provisioner(spec.create)] : []),
    ...(spec.destroy ? [provisioner(spec.destroy, "destroy")] : []),
  ];
  const resource = new Resource(scope, id, {
    terraformResourceType: spec.type,
    terraformGeneratorMetadata: isNull
      ? { providerName: "null", providerVersion: "3.2.4" }
      : { providerName: "terraform" },
    ...(provider ? { provider } : {}),
    // An empty `provisioner` list is invalid Terraform: leave it out when there is no hook.
    ...(provisioners.length > 0 ? { provisioners } : {}),
    ...(spec.dependsOn?.length ? { dependsOn: spec.dependsOn.map((d) => d.resource) } : {}),
    // null_resource has nothing that updates in place: keep these values from replacing it. (On terraform_data
    // such an ignore_changes would hide every change of the map, hence `input` there.)
    ...(isNull && spec.keptOnNull.length > 0
      ? { lifecycle: { ignoreChanges: spec.keptOnNull.map((k) => `triggers["${k}"]`) } }
      : {}),
  });
  resource.attributes = attributes;
  return { id: resource.getStringAttribute("id"), resource };
}

type HookResourceClass = new (
  scope: Construct,
  id: string,
  config: ConstructorParameters<CdkRuntime["TerraformResource"]>[2],
) => InstanceType<CdkRuntime["TerraformResource"]> & { attributes: () => Attributes };

const classes = new WeakMap<CdkRuntime, HookResourceClass>();

/** A TerraformResource whose attributes are produced at synthesis (one class per runtime: cdktf or cdktn). */
function hookResourceClass(cdk: CdkRuntime): HookResourceClass {
  let cls = classes.get(cdk);
  if (!cls) {
    cls = class EsinferHookResource extends cdk.TerraformResource {
      attributes: () => Attributes = () => ({});
      protected override synthesizeAttributes(): Attributes {
        return this.attributes();
      }
      protected override synthesizeHclAttributes(): Attributes {
        const hcl = cdk.hashMapperHcl(cdk.anyToHclTerraform);
        return Object.fromEntries(Object.entries(this.attributes()).map(([k, v]) => [k, hcl(v)]));
      }
    };
    classes.set(cdk, cls);
  }
  return cls;
}

/** The stack's `null` provider, created once, pinned loosely and with its full source (OpenTofu needs it). */
function nullProvider(cdk: CdkRuntime, scope: Construct) {
  const stack = cdk.TerraformStack.of(scope);
  const existing = stack.node.tryFindChild("null");
  if (existing) return existing as InstanceType<CdkRuntime["TerraformProvider"]>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NullProvider } =
    require("@cdktf/provider-null/lib/provider") as typeof import("@cdktf/provider-null/lib/provider");
  const provider = new NullProvider(stack, "null");
  stack.addOverride("terraform.required_providers.null", { source: "hashicorp/null", version: "~> 3.2" });
  return provider;
}
