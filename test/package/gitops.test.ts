/**
 * The sample GitOps repository (examples/gitops), run as its pipeline runs it, from the packed tarball: installed
 * offline, type-checked against the installed package, validated, then each event's step of ci/esinfer-ci.sh
 * against two emulators (dev and prod): the pull request's plans and dev/prod diff, the merge's apply, the daily
 * drift check before and after a change made outside esinfer.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { ROOT, installProject, pack, run, type Project } from "./project";

const EXAMPLE = join(ROOT, "examples", "gitops");
const OPENAI = "sk-CANARY-gitops-openai-5c1e";
const COHERE = "co-CANARY-gitops-cohere-77d0";

/** The example's files as a user would copy them (no installed or generated ones). */
function exampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (["node_modules", "cdktf.out", "package-lock.json"].includes(name) || /^(plan-.*|diff)\.md$/.test(name))
        continue;
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(EXAMPLE, path)] = readFileSync(path, "utf8");
    }
  };
  walk(EXAMPLE);
  return files;
}

let project: Project;
let dev: Emulator;
let prod: Emulator;

beforeAll(async () => {
  [dev, prod] = await Promise.all([startEmulator(), startEmulator({ esVersion: "9.1.3" })]);
  const { dependencies, devDependencies, ...manifest } = JSON.parse(
    readFileSync(join(EXAMPLE, "package.json"), "utf8"),
  ) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const files = exampleFiles();
  delete files["package.json"];
  project = installProject(pack().tarball, {
    packageJson: manifest,
    dependencies: Object.keys(dependencies).filter((name) => name !== "esinfer"),
    devDependencies: Object.keys(devDependencies),
    files,
  });
}, 900_000);
afterAll(() => Promise.all([dev?.stop(), prod?.stop()]));

/**
 * Runs in the project, with the environment a pipeline job would have: the cluster of its stack, and the provider
 * keys only for the jobs that send them (apply); plans and drift checks run without them.
 */
function job(command: string, args: string[], cluster?: Emulator) {
  const sends = args.includes("apply");
  return run(command, args, {
    cwd: project.dir,
    env: {
      ...(cluster ? { ELASTICSEARCH_URL: cluster.url } : {}),
      ...(sends ? { OPENAI_API_KEY: OPENAI, COHERE_API_KEY: COHERE } : {}),
    },
  });
}

const ci = (args: string[], cluster?: Emulator) => job("bash", ["ci/esinfer-ci.sh", ...args], cluster);
const read = (file: string) => readFileSync(join(project.dir, file), "utf8");
const noSecrets = (...texts: string[]) => {
  for (const text of texts) for (const secret of [OPENAI, COHERE]) expect(text).not.toContain(secret);
};

test("the app type-checks against the installed package's declarations, and validates without a cluster", async () => {
  const typecheck = await job("npm", ["run", "--silent", "typecheck"]);
  expect({ code: typecheck.code, out: typecheck.out, err: typecheck.err }).toEqual({ code: 0, out: "", err: "" });
  const validate = await job("npm", ["run", "--silent", "validate"]);
  expect(validate.code).toBe(0);
  expect(validate.out).toMatch(/^✓ stack dev \(cdktf\.out\/stacks\/dev\/cdk\.tf\.json\): 3 endpoints valid/m);
  expect(validate.out).toMatch(/^✓ stack prod \(cdktf\.out\/stacks\/prod\/cdk\.tf\.json\): 3 endpoints valid/m);
}, 300_000);

test("pull request: how dev and prod differ, as a Markdown comment, with no cluster", async () => {
  const diff = await ci(["diff"]);
  expect({ code: diff.code, out: diff.out, err: diff.err }).toEqual({
    code: 0,
    out: "dev and prod compared (diff.md)\n",
    err: "",
  });
  const comment = read("diff.md");
  expect(comment).toContain("### esinfer diff: `dev` → `prod`");
  expect(comment).toContain("**Diff: 0 only in dev, 0 only in prod, 3 different, 0 the same.**");
  expect(comment).toContain(
    '| `service_settings.model_id` | `"text-embedding-3-small"` | `"text-embedding-3-large"` |',
  );
  expect(comment).toContain("| `task_settings.top_n` | `5` | `10` |");
}, 300_000);

test("pull request plan, apply on merge, drift check: dev, then prod", async () => {
  for (const [stack, cluster] of [
    ["dev", dev],
    ["prod", prod],
  ] as const) {
    const plan = await ci(["plan", stack], cluster);
    expect({ stack, code: plan.code, out: plan.out }).toEqual({
      stack,
      code: 0,
      out: `${stack}: changes to review (plan-${stack}.md)\n`,
    });
    const comment = read(`plan-${stack}.md`);
    expect(comment).toContain(`### esinfer plan: stack \`${stack}\``);
    expect(comment).toContain("**Plan: 3 to create, 0 to update in place, 0 to replace, 0 to delete; 0 unchanged.**");
    // Made without the provider keys: each secret shows where it will come from.
    expect(comment).toContain("(sensitive, from OPENAI_API_KEY)");

    const apply = await ci(["apply", stack], cluster);
    expect({ stack, code: apply.code }).toEqual({ stack, code: 0 });
    expect(cluster.endpoints().map((e) => e.inference_id)).toEqual([
      "search-elser",
      "search-embeddings",
      "search-rerank",
    ]);

    const again = await ci(["plan", stack], cluster);
    expect(again.out).toBe(`${stack}: no changes (plan-${stack}.md)\n`);
    const drift = await ci(["drift", stack], cluster);
    expect({ code: drift.code, last: drift.out.trim().split("\n").at(-1) }).toEqual({
      code: 0,
      last: `${stack}: no drift`,
    });
    noSecrets(plan.out, plan.err, comment, apply.out, apply.err, again.out, drift.out, drift.err);
  }
}, 600_000);

test("the daily drift check fails on a change made outside esinfer, and passes once main is applied again", async () => {
  // dev as the previous test left it: applied.
  const response = await fetch(`${dev.url}/_inference/rerank/search-rerank/_update`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ task_settings: { top_n: 3 } }),
  });
  expect(response.status).toBe(200);

  const drift = await ci(["drift", "dev"], dev);
  expect(drift.code).toBe(2);
  expect(drift.out).toContain("~ task_settings.top_n = 3 -> 5");
  expect(drift.err).toContain("dev: the cluster no longer matches the declarations (drift)");

  expect((await ci(["apply", "dev"], dev)).code).toBe(0);
  expect((await ci(["drift", "dev"], dev)).code).toBe(0);
}, 300_000);

test("the script refuses a missing stack or an unknown step", async () => {
  for (const args of [["plan"], ["deploy", "dev"], []]) {
    const ran = await ci(args);
    expect({ args, code: ran.code, err: ran.err }).toEqual({
      args,
      code: 1,
      err: "usage: ci/esinfer-ci.sh plan STACK | apply STACK | drift STACK | diff\n",
    });
  }
});
