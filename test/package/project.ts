/**
 * esinfer as a user gets it: packed as npm publishes it (`npm pack`, from the `dist/` that `npm test` built), then
 * installed into a temporary project of the user's, offline.
 *
 * Offline: `npm ci` filled npm's cache with the tarball of every package of our lockfile, but not with the
 * registry metadata a fresh `npm install` resolves versions with. So the project gets a lockfile cut from ours
 * (the packages it needs, at the paths and integrity hashes we use, which `npm ci --offline` finds in the cache by
 * hash) plus an entry for the esinfer tarball. npm still does the real work: reading the tarball's package.json,
 * peer and optional dependencies, bin links, install scripts.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { tempDir } from "../helpers/temp";

export const ROOT = resolve(__dirname, "..", "..");

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  [key: string]: unknown;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

const ourLock = (): Lockfile => JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as Lockfile;
const ourPackage = () => JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as LockEntry & { name: string };

/** The esinfer tarball `npm pack` makes (without its prepack build: `npm test` built dist/ already), and its files. */
export function pack(): { tarball: string; files: string[] } {
  const dir = tempDir("esinfer-pack-");
  const out = npm(["pack", "--ignore-scripts", "--json", "--pack-destination", dir], ROOT);
  const [report] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(dir, basename(report!.filename)), files: report!.files.map((f) => f.path).sort() };
}

/** The version of a package in our lockfile (the one the cache holds). */
export function lockedVersion(name: string): string {
  const version = ourLock().packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in esinfer's package-lock.json`);
  return version;
}

export interface ProjectOptions {
  /** Packages besides esinfer, each at the version of our lockfile. */
  readonly dependencies: readonly string[];
  readonly devDependencies?: readonly string[];
  /** Files of the project (relative path to content). */
  readonly files?: Readonly<Record<string, string>>;
  /** Fields merged into the project's package.json (scripts, ...). */
  readonly packageJson?: Record<string, unknown>;
  readonly name?: string;
}

export interface Project {
  readonly dir: string;
  /** What `npm ci` printed (warnings included). */
  readonly npmOutput: string;
}

/** A project depending on the packed esinfer (and `dependencies`), installed with `npm ci --offline`. */
export function installProject(tarball: string, options: ProjectOptions, dir = tempDir("esinfer-user-")): Project {
  for (const [file, content] of Object.entries(options.files ?? {})) write(dir, file, content);
  copyFileSync(tarball, join(dir, basename(tarball)));
  const spec = `file:${basename(tarball)}`;
  const pinned = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, lockedVersion(n)]));
  const manifest = {
    name: options.name ?? "esinfer-user",
    version: "1.0.0",
    private: true,
    ...options.packageJson,
    dependencies: { esinfer: spec, ...pinned(options.dependencies) },
    devDependencies: pinned(options.devDependencies ?? []),
  };
  write(dir, "package.json", JSON.stringify(manifest, null, 2) + "\n");
  write(dir, "package-lock.json", JSON.stringify(lockfileFor(manifest, basename(tarball)), null, 2) + "\n");
  const npmOutput = npm(["ci", "--offline", "--no-audit", "--no-fund"], dir);
  return { dir, npmOutput };
}

/** The lockfile of `manifest`: esinfer from the tarball, everything else cut from our lockfile. */
function lockfileFor(
  manifest: {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  },
  tarballName: string,
): Record<string, unknown> {
  const { packages } = ourLock();
  const esinfer = ourPackage();
  const included: Record<string, LockEntry> = {
    "node_modules/esinfer": {
      version: esinfer.version,
      resolved: `file:${tarballName}`,
      license: esinfer.license,
      dependencies: esinfer.dependencies,
      peerDependencies: esinfer.peerDependencies,
      peerDependenciesMeta: esinfer.peerDependenciesMeta,
      bin: esinfer.bin,
      engines: esinfer.engines,
    },
  };
  const queue: [from: string, name: string, optional: boolean][] = [
    ...Object.keys(esinfer.dependencies ?? {}).map((n): [string, string, boolean] => ["", n, false]),
    ...Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
      .filter((n) => n !== "esinfer")
      .map((n): [string, string, boolean] => ["", n, false]),
  ];
  while (queue.length > 0) {
    const [from, name, optional] = queue.shift()!;
    const path = resolveIn(packages, from, name);
    if (path === undefined) {
      if (optional) continue;
      throw new Error(`${name} (needed by ${from || "the project"}) is not in esinfer's package-lock.json`);
    }
    if (Object.hasOwn(included, path)) continue;
    const { dev, devOptional, peer, ...entry } = packages[path]!;
    void dev;
    void peer;
    included[path] = devOptional ? { ...entry, optional: true } : entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) queue.push([path, dep, false]);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) queue.push([path, dep, true]);
    for (const dep of Object.keys(entry.peerDependencies ?? {}))
      if (!entry.peerDependenciesMeta?.[dep]?.optional) queue.push([path, dep, false]);
  }
  const sorted = Object.fromEntries(Object.entries(included).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: {
      "": {
        name: manifest.name,
        version: manifest.version,
        dependencies: manifest.dependencies,
        devDependencies: manifest.devDependencies,
      },
      ...sorted,
    },
  };
}

/** Where Node (and npm's tree) finds `name` required from the package at lock path `from`. */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (Object.hasOwn(packages, candidate)) return candidate;
    if (!base) return undefined;
    base = base.slice(0, base.lastIndexOf("node_modules/")).replace(/\/$/, "");
  }
}

function write(dir: string, file: string, content: string): void {
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

/** Runs npm (the one running these tests, else the one on PATH); throws with its output when it fails. */
export function npm(args: string[], cwd: string): string {
  const execPath = process.env.npm_execpath;
  const [command, argv] = execPath?.endsWith(".js") ? [process.execPath, [execPath, ...args]] : ["npm", args];
  try {
    return execFileSync(command, argv, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false" },
    });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

export interface Ran {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** Runs a command to completion (asynchronously: the emulator of the test runs in this process). */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string | undefined> },
): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: Object.fromEntries(
        Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1", ...options.env }).filter(
          ([, v]) => v !== undefined,
        ),
      ),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
    child.on("error", fail);
    child.on("close", (code) => done({ code, out, err }));
  });
}
