/**
 * Which CDK for Terraform installations the constructs accept: the peer ranges of package.json, checked at
 * runtime for installs that went past npm's peer check, with errors naming the versions and what to install.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  UnsupportedCdkError,
  cdkProblem,
  inCaretRange,
  installedPackage,
  peerRange,
  supportedCdk,
  type CdkInstallation,
} from "../../lib/constructs/cdk-version";
import { tempDir } from "../helpers/temp";

const pkg = require("../../package.json") as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

const installation = (runtime: string, constructs = "10.7.2", twoCopies = false): CdkInstallation => ({
  runtime: { version: runtime, dir: "/p/node_modules/cdktf" },
  constructs: { version: constructs, dir: "/p/node_modules/constructs" },
  runtimeConstructsDir: twoCopies ? "/p/node_modules/cdktf/node_modules/constructs" : "/p/node_modules/constructs",
});

test("package.json: cdktf, cdktn and the null provider are optional peers, constructs a required one", () => {
  expect(pkg.peerDependencies).toEqual({
    "@cdktf/provider-null": "^11.0.1",
    cdktf: "^0.21.0",
    cdktn: "^0.24.0",
    constructs: "^10.4.2",
  });
  expect(pkg.peerDependenciesMeta).toEqual({
    "@cdktf/provider-null": { optional: true },
    cdktf: { optional: true },
    cdktn: { optional: true },
  });
  // Our own tests run against every peer.
  for (const name of Object.keys(pkg.peerDependencies)) expect(pkg.devDependencies).toHaveProperty([name]);
  expect(peerRange("cdktf")).toBe("^0.21.0");
});

test.each([
  ["0.21.0", "^0.21.0", true],
  ["0.21.7", "^0.21.0", true],
  ["0.21.0-pre.3", "^0.21.0", true],
  ["0.20.11", "^0.21.0", false],
  ["0.22.0", "^0.21.0", false],
  ["0.24.1", "^0.24.0", true],
  ["10.4.2", "^10.4.2", true],
  ["10.7.2", "^10.4.2", true],
  ["10.3.0", "^10.4.2", false],
  ["11.0.0", "^10.4.2", false],
  ["0.0.3", "^0.0.3", true],
  ["0.0.4", "^0.0.3", false],
  ["not a version", "^0.21.0", false],
])("%s in %s: %s", (version, range, expected) => {
  expect(inCaretRange(version, range)).toBe(expected);
});

test("a supported installation passes", () => {
  expect(cdkProblem("cdktf", installation("0.21.0"))).toBeUndefined();
  expect(cdkProblem("cdktn", installation("0.24.0"))).toBeUndefined();
});

test("cdktf 0.20 (the version of the issue's crash) is named, with the supported versions and the fix", () => {
  expect(cdkProblem("cdktf", installation("0.20.11", "10.3.0"))).toBe(
    "esinfer's constructs work with cdktf 0.21 (^0.21.0) or CDK Terrain's cdktn 0.24 (^0.24.0), with constructs " +
      "^10.4.2; this project has cdktf 0.20.11 (/p/node_modules/cdktf). Install a supported version: npm install " +
      'cdktf@"^0.21.0" constructs@"^10.4.2" (and cdktf-cli 0.21 if you use it); or declare the endpoints as a ' +
      "JSON manifest (esinfer plan -f) without CDK for Terraform.",
  );
  expect(cdkProblem("cdktn", installation("0.23.0"))).toContain(
    'this project has cdktn 0.23.0 (/p/node_modules/cdktf). Install a supported version: npm install cdktn@"^0.24.0"',
  );
});

test("an old constructs, and two copies of constructs, are named with what to do", () => {
  expect(cdkProblem("cdktf", installation("0.21.0", "10.3.0"))).toContain(
    'this project has constructs 10.3.0 (/p/node_modules/constructs). Install a supported version: npm install constructs@"^10.4.2"',
  );
  expect(cdkProblem("cdktf", installation("0.21.0", "10.7.2", true))).toBe(
    "two copies of constructs are installed: esinfer uses /p/node_modules/constructs and cdktf uses " +
      "/p/node_modules/cdktf/node_modules/constructs, and constructs from one copy cannot be added to the other's. " +
      "Keep one: npm ls constructs shows who brings each; install one version in range ^10.4.2 that cdktf accepts, " +
      "then npm dedupe.",
  );
});

test("installedPackage reads the version of the package Node resolves, or undefined", () => {
  const project = tempDir("esinfer-cdk-version-");
  const dir = join(project, "node_modules", "cdktf");
  mkdirSync(join(dir, "lib"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cdktf", version: "0.20.11", main: "lib/index.js" }));
  // A nested package.json without the name (as some packages ship in lib/) is not the package's.
  writeFileSync(join(dir, "lib", "package.json"), JSON.stringify({ type: "commonjs" }));
  writeFileSync(join(dir, "lib", "index.js"), "");
  expect(installedPackage("cdktf", project)).toEqual({ version: "0.20.11", dir: expect.stringMatching(/cdktf$/) });
  expect(installedPackage("cdktn", project)).toBeUndefined();
});

test("the runtimes installed here are supported: supportedCdk returns the module it was given", () => {
  const cdktf = require("cdktf");
  expect(supportedCdk("cdktf", cdktf)).toBe(cdktf);
  const cdktn = require("cdktn");
  expect(supportedCdk("cdktn", cdktn)).toBe(cdktn);
  expect(new UnsupportedCdkError("x")).toMatchObject({ code: "ESINFER_UNSUPPORTED_CDK", exitCode: 1 });
});
