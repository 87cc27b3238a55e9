/**
 * docs/plan-json.md against the real thing, so the documentation cannot silently rot: its example plan has exactly
 * the keys `esinfer plan --json` prints for the same scenario (and its `apply --json` example those of
 * `esinfer apply --json`), and every field the JSON renderer knows is documented.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { documentedFields } from "../../lib/engine/render";
import { elser, embeddings, rerank, useCli, useEndpoint, type Cli, createOutsideEsinfer } from "./harness";

const cli = useCli();
const DOC = readFileSync(join(__dirname, "..", "..", "docs", "plan-json.md"), "utf8");

/** The first ```json block after the (unique) text `marker` in the doc. */
function jsonBlockAfter(marker: string): unknown {
  const at = DOC.indexOf(marker);
  if (at < 0 || DOC.indexOf(marker, at + 1) >= 0) throw new Error(`docs/plan-json.md must contain "${marker}" once`);
  const block = /```json\n([\s\S]*?)\n```/.exec(DOC.slice(at));
  if (!block) throw new Error(`no json block after "${marker}"`);
  return JSON.parse(block[1]!);
}

/** Every key path of a JSON value, list elements merged (`endpoints[].changes[].path`), sorted. */
function keyPaths(value: unknown, prefix = ""): string[] {
  const paths = new Set<string>();
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) for (const item of v) walk(item, `${at}[]`);
    else if (v && typeof v === "object")
      for (const [k, child] of Object.entries(v)) {
        const path = at ? `${at}.${k}` : k;
        paths.add(path);
        walk(child, path);
      }
  };
  walk(value, prefix);
  return [...paths].sort();
}

/**
 * The scenario of the doc's example: every action, a secret rotated, an endpoint in use, an unmanaged endpoint.
 * (To regenerate the example after a deliberate change: print `plan.out` and `applied.out` here.)
 */
async function scenario(c: Cli): Promise<{ plan: unknown; applied: unknown }> {
  c.manifest([elser(), elser({ inference_id: "elser-old" }), embeddings(), rerank()], {}, "before.json");
  expect((await c.run(["apply", "-f", "before.json", "--auto-approve"])).code).toBe(0);
  await useEndpoint(c.emu, "emb");
  createOutsideEsinfer(c.emu);
  c.manifest([
    {
      inference_id: "chat",
      task_type: "completion",
      service: "openai",
      service_settings: { model_id: "gpt-4o-mini", api_key: { env: "OPENAI_API_KEY" } },
    },
    elser(),
    embeddings({
      service_settings: { model_id: "text-embedding-3-small", api_key: { env: "OPENAI_API_KEY" }, dimensions: 256 },
    }),
    rerank({ task_settings: { top_n: 10 } }),
  ]);
  const rotated = { COHERE_API_KEY: "co-CANARY-cli-rotated-doc-0c1d" };
  const plan = await c.run(["plan", "-f", "m.json", "--json"], { env: rotated });
  expect(plan.code).toBe(0);
  const applied = await c.run(["apply", "-f", "m.json", "--auto-approve", "--allow-in-use", "--json"], {
    env: rotated,
  });
  expect(applied.code).toBe(0);
  return { plan: JSON.parse(plan.out), applied: JSON.parse(applied.out) };
}

test("the example plan has exactly the keys of a real `esinfer plan --json`", async () => {
  const { plan, applied } = await scenario(cli);
  const documented = jsonBlockAfter("and `esinfer plan -f m.json --json` prints");
  expect(keyPaths(documented)).toEqual(keyPaths(plan));
  // and the same story: the same actions for the same endpoints
  const actions = (p: unknown) =>
    (p as { endpoints: { inference_id: string; action: string }[] }).endpoints.map(
      (e) => `${e.action} ${e.inference_id}`,
    );
  expect(actions(documented)).toEqual(actions(plan));
  expect((documented as { format_version: string }).format_version).toBe(
    (plan as { format_version: string }).format_version,
  );

  const documentedApply = jsonBlockAfter(
    "`esinfer apply -f m.json --auto-approve --allow-in-use --json` prints on stdout",
  );
  expect(keyPaths(documentedApply)).toEqual(keyPaths(applied));
});

test("every field the JSON renderer knows is documented, and no other", () => {
  const fields = documentedFields();
  const planSection = DOC.slice(DOC.indexOf("\n## Fields\n"), DOC.indexOf("\n### Reading a change\n"));
  const inTables = [...planSection.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
  expect(inTables.sort()).toEqual([...fields].sort());
});
