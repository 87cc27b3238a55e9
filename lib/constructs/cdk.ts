/**
 * Which CDK for Terraform runtime a construct tree uses: cdktf 0.21, or its community fork CDK Terrain (`cdktn`
 * 0.24), a drop-in replacement with the same classes. esinfer's resources are created with the runtime of the app
 * they are added to, loaded only then (so `import "esinfer"` for the engine alone never loads cdktf).
 */
import type { IConstruct } from "constructs";
import { supportedCdk } from "./cdk-version";

/** The part of cdktf's (and cdktn's) API the constructs use. Types come from cdktf; cdktn has the same shape. */
export type CdkRuntime = typeof import("cdktf");

function tryRequire(name: string): CdkRuntime | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as CdkRuntime;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

/**
 * The runtime whose `App` is the root of `scope`: cdktn when the app is a cdktn App, else cdktf; its version (and
 * that of `constructs`) checked once against esinfer's peer ranges (cdk-version.ts).
 */
export function cdkFor(scope: IConstruct): CdkRuntime {
  const root = scope.node.root;
  const cdktn = tryRequire("cdktn");
  if (cdktn && root instanceof cdktn.App) return supportedCdk("cdktn", cdktn);
  const cdktf = tryRequire("cdktf");
  if (cdktf) return supportedCdk("cdktf", cdktf);
  if (cdktn) return supportedCdk("cdktn", cdktn);
  throw new Error("esinfer's constructs need cdktf (0.21) or cdktn (0.24): npm install cdktf");
}
