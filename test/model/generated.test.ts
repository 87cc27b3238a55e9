/**
 * The declaration types and the service reference pages are generated from the catalogue: this fails while they are
 * out of date, with the command that regenerates them. (The generator formats with prettier, which jest's module
 * sandbox cannot load: it runs in a child process.)
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { SERVICE_NAMES } from "../../lib/catalogue";

const ROOT = resolve(__dirname, "../..");

test("lib/model/generated and docs/services are what the catalogue gives", () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/generate-catalogue-docs.ts", "--check"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`the generated files are out of date:\n${run.stderr}`);
}, 120_000);

test("one reference page per service, and an index", () => {
  for (const service of SERVICE_NAMES) expect(existsSync(join(ROOT, "docs/services", `${service}.md`))).toBe(true);
  expect(existsSync(join(ROOT, "docs/services/README.md"))).toBe(true);
});
