/**
 * esinfer installed as a dependency, as a user's project gets it from the registry: the packed tarball, installed
 * offline into a temporary project with its own CDK for Terraform app (cdktf, then CDK Terrain without cdktf),
 * which synthesizes, plans and applies against the emulator; and `esinfer demo` from the installed package.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { installProject, npm, pack, run, type Project } from "./project";

const CANARY = "sk-CANARY-package-8e2b-never-printed";
const VERSION = (require("../../package.json") as { version: string }).version;

/** A user's app: an in-cluster ELSER endpoint and an OpenAI one whose key is a reference. */
const app = (runtime: "cdktf" | "cdktn") => `
const { App, TerraformStack } = require("${runtime}");
const { ElasticsearchCluster, InferenceEndpoint, secret } = require("esinfer");

class SearchStack extends TerraformStack {
  constructor(scope, id) {
    super(scope, id);
    const cluster = new ElasticsearchCluster(this, "cluster", {});
    new InferenceEndpoint(this, "elser", {
      cluster,
      inferenceId: "user-elser",
      service: "elasticsearch",
      taskType: "sparse_embedding",
      serviceSettings: { modelId: ".elser_model_2", numThreads: 1, numAllocations: 1 },
    });
    new InferenceEndpoint(this, "embeddings", {
      cluster,
      inferenceId: "user-embeddings",
      service: "openai",
      taskType: "text_embedding",
      serviceSettings: { modelId: "text-embedding-3-small", apiKey: secret.env("OPENAI_API_KEY") },
    });
  }
}

const app = new App();
new SearchStack(app, "search");
app.synth();
`;

const cdktfJson = JSON.stringify({ language: "javascript", app: "node main.js" });

let emu: Emulator;
let packed: { tarball: string; files: string[] };
let withCdktf: Project;
let withCdktn: Project;

// Packing and two offline installs: minutes on a busy machine, out of every test's own time.
beforeAll(async () => {
  emu = await startEmulator();
  packed = pack();
  withCdktf = installProject(packed.tarball, {
    dependencies: ["cdktf", "constructs"],
    files: { "main.js": app("cdktf"), "cdktf.json": cdktfJson },
  });
  withCdktn = installProject(packed.tarball, {
    dependencies: ["cdktn", "constructs"],
    files: { "main.js": app("cdktn"), "cdktf.json": cdktfJson },
  });
}, 900_000);
afterAll(() => emu?.stop());
beforeEach(() => emu.reset());

const esinfer = (project: Project, args: string[], env: Record<string, string | undefined> = {}) =>
  run(join(project.dir, "node_modules", ".bin", "esinfer"), args, {
    cwd: project.dir,
    env: { ELASTICSEARCH_URL: emu.url, OPENAI_API_KEY: CANARY, ...env },
  });

test("the tarball holds the CLI, the compiled library with its types, the compiled demo app and the docs; no sources", () => {
  const files = packed.files;
  for (const file of [
    "package.json",
    "README.md",
    "bin/esinfer.js",
    "dist/index.js",
    "dist/index.d.ts",
    "dist/cli/main.js",
    "dist/constructs/cdk-version.js",
    "dist/demo/quickstart/main.js",
    "dist/demo/quickstart/stack.js",
    "docs/plan-json.md",
  ])
    expect(files).toContain(file);
  expect(files.filter((f) => /^(lib|test|examples|bench)\/|\.map$|tsbuildinfo|^\.ci\//.test(f))).toEqual([]);
});

test("npm installs it without a warning about esinfer, with the project's single copy of constructs", () => {
  expect(withCdktf.npmOutput + withCdktn.npmOutput).not.toMatch(/esinfer/i);
  for (const project of [withCdktf, withCdktn]) {
    const copies = npm(["ls", "constructs", "--all", "--parseable"], project.dir).trim().split("\n");
    expect(copies).toEqual([join(project.dir, "node_modules", "constructs")]);
  }
  // Optional peers stay the project's choice: the CDK Terrain project gets no cdktf, and neither gets the other.
  expect(existsSync(join(withCdktn.dir, "node_modules", "cdktf"))).toBe(false);
  expect(existsSync(join(withCdktf.dir, "node_modules", "cdktn"))).toBe(false);
  expect(existsSync(join(withCdktf.dir, "node_modules", "@cdktf", "provider-null"))).toBe(false);
});

test("the installed CLI: --version, and the docs its help points to are in the package", async () => {
  expect((await esinfer(withCdktf, ["--version"])).out).toBe(`${VERSION}\n`);
  const help = await esinfer(withCdktf, ["plan", "--help"]);
  expect(help.out).toContain("docs/plan-json.md");
  expect(readFileSync(join(withCdktf.dir, "node_modules", "esinfer", "docs", "plan-json.md"), "utf8")).toContain(
    "format_version",
  );
});

test.each([
  ["cdktf", () => withCdktf],
  ["cdktn", () => withCdktn],
])(
  "a %s app synthesizes, plans and applies against the emulator; the next plan has no changes",
  async (_runtime, project) => {
    const first = await esinfer(project(), ["plan", "--detailed-exitcode"]);
    expect({ code: first.code, err: first.err }).toEqual({ code: 2, err: "" });
    expect(first.out).toContain("Plan: 2 to create, 0 to update in place, 0 to replace, 0 to delete; 0 unchanged.");

    const apply = await esinfer(project(), ["apply", "--auto-approve", "--no-synth"]);
    expect({ code: apply.code, err: apply.err }).toEqual({ code: 0, err: "" });
    expect(emu.endpoints().map((e) => e.inference_id)).toEqual(["user-elser", "user-embeddings"]);

    const again = await esinfer(project(), ["plan", "--detailed-exitcode", "--no-synth"]);
    expect(again.code).toBe(0);
    expect(again.out).toContain("No changes.");

    const synthesized = readFileSync(join(project().dir, "cdktf.out", "stacks", "search", "cdk.tf.json"), "utf8");
    for (const text of [first.out, apply.out, again.out, synthesized, JSON.stringify(emu.requests.list())])
      expect(text).not.toContain(CANARY);
  },
  300_000,
);

test("esinfer demo runs from the installed package (its own compiled app, a temporary project)", async () => {
  const demo = await esinfer(withCdktf, ["demo"], { ELASTICSEARCH_URL: undefined, OPENAI_API_KEY: undefined });
  expect({ code: demo.code, err: demo.err }).toEqual({ code: 0, err: "" });
  expect([...demo.out.matchAll(/^(\d)\. /gm)].map((m) => m[1])).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
  expect(demo.out).toContain("Plan: 3 to create");
  expect(demo.out).toContain("(no DELETE: updated in place)");
  // Nothing written into the project or the installed package.
  expect(existsSync(join(withCdktf.dir, "node_modules", "esinfer", "cdktf.out"))).toBe(false);
}, 300_000);

test("esinfer demo without cdktf says what to install", async () => {
  const demo = await esinfer(withCdktn, ["demo"], { ELASTICSEARCH_URL: undefined });
  expect(demo.code).toBe(1);
  expect(demo.err).toBe(
    "esinfer: the demo synthesizes a CDK for Terraform app, and cdktf is not installed: npm install --save-dev " +
      `cdktf@"^0.21.0" constructs@"^10.4.2"\n`,
  );
});

test("an unsupported runtime that got past npm's peer check is named when the app synthesizes, with what to install", async () => {
  // What `npm install --legacy-peer-deps` leaves behind with CDK Terrain 0.23: the version is all that differs.
  const manifest = join(withCdktn.dir, "node_modules", "cdktn", "package.json");
  const original = readFileSync(manifest, "utf8");
  writeFileSync(manifest, JSON.stringify({ ...JSON.parse(original), version: "0.23.0" }));
  try {
    const plan = await esinfer(withCdktn, ["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.err).toContain(
      `this project has cdktn 0.23.0 (${realpathSync(join(withCdktn.dir, "node_modules", "cdktn"))}). ` +
        'Install a supported version: npm install cdktn@"^0.24.0" constructs@"^10.4.2"',
    );
  } finally {
    writeFileSync(manifest, original);
  }
});
