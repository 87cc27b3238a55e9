/**
 * Which CDK for Terraform runtimes esinfer's constructs work with: the ranges of esinfer's peer dependencies
 * (package.json: cdktf 0.21, its fork CDK Terrain `cdktn` 0.24, constructs 10), checked the first time the
 * constructs use a runtime. npm refuses a peer out of range at install time; this catches the installs that
 * went past it (`--legacy-peer-deps`, `--force`, other package managers' settings) with an error naming the
 * versions, instead of a crash deep in synthesis (a second copy of `constructs` fails with "scope.node._scopes is
 * not iterable").
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { EsinferError } from "../errors";

/** The CDK for Terraform runtimes the constructs can be added to. */
export type CdkName = "cdktf" | "cdktn";

/** An installed package: its version and the directory holding its package.json. */
export interface InstalledPackage {
  readonly version: string;
  readonly dir: string;
}

/** What `supportedCdk` looks at, gathered from the installation (apart, so the rules are testable). */
export interface CdkInstallation {
  readonly runtime: InstalledPackage;
  /** The `constructs` esinfer's own classes extend. */
  readonly constructs: InstalledPackage;
  /** The `constructs` the runtime resolves (a different directory means two copies). */
  readonly runtimeConstructsDir: string;
}

export class UnsupportedCdkError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_UNSUPPORTED_CDK" });
  }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const PEER_RANGES: Readonly<Record<string, string>> = require("../../package.json").peerDependencies;

/** The peer range esinfer declares for `name` (`^0.21.0`). */
export function peerRange(name: CdkName | "constructs"): string {
  const range = Object.hasOwn(PEER_RANGES, name) ? PEER_RANGES[name] : undefined;
  if (range === undefined) throw new Error(`esinfer's package.json declares no peer dependency ${name}`);
  return range;
}

type Triple = readonly [number, number, number];

function parseTriple(text: string): Triple | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compare(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Whether `version` is in the caret range `range` (`^0.21.0`: 0.21.x; `^10.4.2`: 10.4.2 up to 11), npm's
 * semantics for the only range form esinfer's package.json uses. A pre-release (`0.21.0-pre.1`) counts as its
 * release.
 */
export function inCaretRange(version: string, range: string): boolean {
  const low = range.startsWith("^") ? parseTriple(range.slice(1)) : undefined;
  if (!low) throw new Error(`not a caret range: ${range}`);
  const v = parseTriple(version);
  if (!v) return false;
  // The first non-zero part is fixed: ^1.2.3 < 2.0.0, ^0.2.3 < 0.3.0, ^0.0.3 < 0.0.4.
  const high: Triple = low[0] > 0 ? [low[0] + 1, 0, 0] : low[1] > 0 ? [0, low[1] + 1, 0] : [0, 0, low[2] + 1];
  return compare(v, low) >= 0 && compare(v, high) < 0;
}

/** `0.21` for `^0.21.0`, `10` for `^10.4.2`: the release line a caret range stands for, for messages. */
function line(range: string): string {
  const [major, minor] = parseTriple(range.slice(1)) ?? [0, 0, 0];
  return major > 0 ? String(major) : `${major}.${minor}`;
}

/** What is wrong with an installation, or undefined when esinfer supports it. Pure. */
export function cdkProblem(name: CdkName, found: CdkInstallation): string | undefined {
  const supported =
    `esinfer's constructs work with cdktf ${line(peerRange("cdktf"))} (${peerRange("cdktf")}) or CDK Terrain's ` +
    `cdktn ${line(peerRange("cdktn"))} (${peerRange("cdktn")}), with constructs ${peerRange("constructs")}`;
  const range = peerRange(name);
  if (!inCaretRange(found.runtime.version, range))
    return (
      `${supported}; this project has ${name} ${found.runtime.version} (${found.runtime.dir}). ` +
      `Install a supported version: npm install ${name}@"${range}" constructs@"${peerRange("constructs")}"` +
      (name === "cdktf" ? ` (and cdktf-cli 0.21 if you use it)` : ` (and cdktn-cli 0.24 if you use it)`) +
      `; or declare the endpoints as a JSON manifest (esinfer plan -f) without CDK for Terraform.`
    );
  if (!inCaretRange(found.constructs.version, peerRange("constructs")))
    return (
      `${supported}; this project has constructs ${found.constructs.version} (${found.constructs.dir}). ` +
      `Install a supported version: npm install constructs@"${peerRange("constructs")}"`
    );
  if (found.runtimeConstructsDir !== found.constructs.dir)
    return (
      `two copies of constructs are installed: esinfer uses ${found.constructs.dir} and ${name} uses ` +
      `${found.runtimeConstructsDir}, and constructs from one copy cannot be added to the other's. Keep one: ` +
      `npm ls constructs shows who brings each; install one version in range ${peerRange("constructs")} that ` +
      `${name} accepts, then npm dedupe.`
    );
  return undefined;
}

/** The installed package `name` as Node resolves it from `fromDir`, or undefined when there is none. */
export function installedPackage(name: string, fromDir: string): InstalledPackage | undefined {
  let entry: string;
  try {
    entry = require.resolve(name, { paths: [fromDir] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
  // Up from the entry file to the package.json that names the package (not a nested one of its own).
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
    if (manifest.name === name && typeof manifest.version === "string")
      return { version: manifest.version, dir: realpathSync(dir) };
  }
  return undefined;
}

const checked = new Set<CdkName>();

/**
 * Returns `runtime` (the loaded `cdktf` or `cdktn` module) after checking, once per process, that its version,
 * the version of `constructs` and the single copy of `constructs` are supported; throws an
 * `UnsupportedCdkError` naming the versions and what to install otherwise.
 */
export function supportedCdk<T>(name: CdkName, runtime: T): T {
  if (checked.has(name)) return runtime;
  const here = __dirname;
  const installed = installedPackage(name, here);
  const constructs = installedPackage("constructs", here);
  // Loaded, so resolvable: a missing package.json is a broken installation that the runtime reported already.
  if (installed && constructs) {
    const runtimeConstructs = installedPackage("constructs", installed.dir);
    const problem = cdkProblem(name, {
      runtime: installed,
      constructs,
      runtimeConstructsDir: runtimeConstructs?.dir ?? constructs.dir,
    });
    if (problem) throw new UnsupportedCdkError(problem);
  }
  checked.add(name);
  return runtime;
}
