/**
 * `esinfer import`: adopts endpoints made outside esinfer, prints their declarations with secrets as references to
 * name, after which the plan shows no changes for them once the manifest contains them.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CANARY, elser, embeddings, lines, useCli } from "./harness";

const cli = useCli();

/** Endpoints made by hand (with a real key the cluster never gives back), before any stack existed. */
const legacy = () => {
  cli.emu.createEndpoint(
    "legacy-emb",
    {
      service: "openai",
      service_settings: { model_id: "text-embedding-3-large", api_key: CANARY },
      task_settings: { user: "x" },
    },
    "text_embedding",
  );
  cli.emu.createEndpoint(
    "legacy-rerank",
    { service: "elasticsearch", service_settings: { model_id: ".rerank-v1", num_threads: 1, num_allocations: 1 } },
    "rerank",
  );
};

const run = (argv: string[], env: Record<string, string | undefined> = {}) => cli.run(argv, { env });

test("import ID: prints the declaration, secrets as env references to name, and what to do next", async () => {
  legacy();
  cli.manifest([]);
  const { code, out, err } = await run(["import", "-f", "m.json", "legacy-emb"]);
  expect(code).toBe(0);
  expect(JSON.parse(out)).toEqual([
    {
      inference_id: "legacy-emb",
      task_type: "text_embedding",
      service: "openai",
      service_settings: {
        model_id: "text-embedding-3-large",
        rate_limit: { requests_per_minute: 3000 },
        dimensions: 3072,
        similarity: "dot_product",
        api_key: { env: "LEGACY_EMB_API_KEY" },
      },
      task_settings: { user: "x" },
      chunking_settings: { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 },
    },
  ]);
  expect(lines(err)).toEqual([
    "Imported 1 endpoint into stack test: legacy-emb",
    "Their secrets are not readable from the cluster; the declarations reference LEGACY_EMB_API_KEY: set those (or rename the references) before an apply needs to send them.",
    "Next: add its declaration (above) to stack test; esinfer plan then shows no changes for it. Until then it is kept, never deleted; to release it instead: esinfer state rm legacy-emb",
  ]);
  // Import changes no endpoint; it claims the one it adopts for the stack.
  expect(cli.writes()).toEqual(["POST /esinfer-state/_bulk?refresh=false"]);
});

test("after import, a manifest with the printed declarations plans no changes, and apply changes nothing", async () => {
  legacy();
  cli.manifest([]);
  const imported = await run(["import", "-f", "m.json", "legacy-emb", "legacy-rerank"]);
  expect(imported.code).toBe(0);
  cli.manifest(JSON.parse(imported.out));
  for (const env of [{ LEGACY_EMB_API_KEY: "sk-CANARY-cli-imported-5d6c" }, {}]) {
    const plan = await run(["plan", "-f", "m.json", "--detailed-exitcode"], env);
    expect(plan.code).toBe(0);
    expect(lines(plan.out)[2]).toBe("No changes. The cluster matches the declarations (2 endpoints).");
  }
  cli.emu.requests.clear();
  const applied = await run(["apply", "-f", "m.json", "--auto-approve"], {
    LEGACY_EMB_API_KEY: "sk-CANARY-cli-imported-5d6c",
  });
  expect(applied.code).toBe(0);
  expect(cli.emu.requests.list().filter((r) => r.method === "PUT")).toEqual([]);
  // the imported secret cannot be verified until an apply sends it: said, not hidden
  const plan = await run(["plan", "-f", "m.json"], { LEGACY_EMB_API_KEY: "sk-CANARY-cli-imported-5d6c" });
  expect(plan.out).toContain(
    "Warning: legacy-emb: service_settings.api_key: not verified (the endpoint was imported); the next apply that sends it records it",
  );
});

test("--all: every endpoint the stack does not manage (preconfigured ones excepted); then nothing left", async () => {
  legacy();
  cli.manifest([embeddings()]);
  await run(["apply", "-f", "m.json", "--auto-approve"], { OPENAI_API_KEY: CANARY });
  const { code, out, err } = await run(["import", "-f", "m.json", "--all"]);
  expect(code).toBe(0);
  expect(JSON.parse(out).map((d: { inference_id: string }) => d.inference_id)).toEqual(["legacy-emb", "legacy-rerank"]);
  expect(err).toContain("Imported 2 endpoints into stack test: legacy-emb, legacy-rerank\n");
  expect(cli.emu.preconfiguredEndpoints().length).toBeGreaterThan(0); // there were some to leave out

  const again = await run(["import", "-f", "m.json", "--all"]);
  expect(again.code).toBe(0);
  expect(again.out).toBe("");
  expect(again.err).toBe("Nothing to import: every endpoint in the cluster is owned by a stack or preconfigured.\n");
});

test("imported but not declared: kept, never deleted, until declared or released with state rm", async () => {
  legacy();
  cli.manifest([]);
  await run(["import", "-f", "m.json", "legacy-rerank"]);
  for (const command of [
    ["plan", "-f", "m.json", "--detailed-exitcode"],
    ["apply", "-f", "m.json", "--auto-approve"],
  ]) {
    const { code, out } = await run(command);
    expect([command[0], code]).toEqual([command[0], 0]);
    expect(out).toContain(
      "Warning: legacy-rerank: imported but not declared yet: it is kept, never deleted, until you add its declaration (esinfer import printed it) or release it with `esinfer state rm legacy-rerank`",
    );
  }
  expect(cli.emu.endpoints().map((e) => e.inference_id)).toContain("legacy-rerank");
  // Importing it again says what is true, and prints the declaration again.
  const again = await run(["import", "-f", "m.json", "legacy-rerank"]);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.out)[0].inference_id).toBe("legacy-rerank");
  expect(again.err).toContain("Already imported into stack test, not declared yet: legacy-rerank (nothing changed)");
  // Released: the stack neither owns nor deletes it; it stays in the cluster.
  const rm = await run(["state", "rm", "-f", "m.json", "legacy-rerank"]);
  expect(rm.code).toBe(0);
  expect(rm.err).toContain(
    "Forgot legacy-rerank: stack test no longer owns it; it stays in the cluster, owned by no stack",
  );
  const after = await run(["plan", "-f", "m.json", "--detailed-exitcode"]);
  expect(after.code).toBe(0);
  expect(after.out).toContain("not managed by this stack and left alone: legacy-emb, legacy-rerank");
  expect(cli.emu.endpoints().map((e) => e.inference_id)).toContain("legacy-rerank");
});

test("ids that cannot be imported: exit 1, every problem listed, nothing adopted", async () => {
  legacy();
  cli.manifest([]);
  const { code, out, err } = await run(["import", "-f", "m.json", "legacy-emb", "nope", ".elser-2-elasticsearch"]);
  expect(code).toBe(1);
  expect(out).toBe("");
  expect(lines(err)).toEqual([
    "Error: Nothing was imported: 2 problems",
    "  ✗ nope: is not in the cluster",
    "  ✗ .elser-2-elasticsearch: is one of Elasticsearch's preconfigured endpoints, which cannot be declared",
  ]);
  expect(cli.stateFiles()).toEqual([]);
});

test("usage errors: no ids, an unknown format", async () => {
  cli.manifest([]);
  const none = await run(["import", "-f", "m.json"]);
  expect(none.code).toBe(1);
  expect(none.err).toBe("esinfer: name the endpoints to import, or pass --all for every endpoint no stack owns yet\n");
  const yaml = await run(["import", "-f", "m.json", "x", "--format", "yaml"]);
  expect(yaml.code).toBe(1);
  expect(yaml.err).toBe("esinfer: --format yaml: choose json or typescript\n");
  expect(cli.emu.requests.list()).toEqual([]);
});

test("an endpoint the stack already manages is not imported again (its declaration would be overwritten)", async () => {
  cli.manifest([elser()]);
  await run(["apply", "-f", "m.json", "--auto-approve"]);
  const state = cli.stateFiles();
  const { code, out, err } = await run(["import", "-f", "m.json", "elser"]);
  expect(code).toBe(1);
  expect(out).toBe("");
  expect(lines(err)).toEqual([
    "Error: Nothing was imported: 1 problem",
    "  ✗ elser: is already managed by stack test (it is declared there): nothing to import",
  ]);
  expect(cli.stateFiles()).toEqual(state);
  expect((await run(["plan", "-f", "m.json", "--detailed-exitcode"])).code).toBe(0);
});

test("--lock-timeout: waits for the stack's lock instead of failing at once", async () => {
  legacy();
  cli.manifest([]);
  const lock = join(cli.dir(), ".esinfer", "state", "test.json.lock");
  mkdirSync(join(cli.dir(), ".esinfer", "state"), { recursive: true });
  const record = {
    id: "held",
    operation: "apply",
    who: "ci@elsewhere pid 7",
    created_at: "2026-01-01T00:00:00.000Z",
    host: "elsewhere",
    pid: 7,
  };
  writeFileSync(lock, JSON.stringify(record));
  const failed = await run(["import", "-f", "m.json", "legacy-rerank"]);
  expect(failed.code).toBe(1);
  expect(failed.err).toMatch(/^Error: the stack's state .* is locked by ci@elsewhere pid 7 for apply/);
  const waiting = run(["import", "-f", "m.json", "legacy-rerank", "--lock-timeout", "10s"]);
  setTimeout(() => rmSync(lock), 500); // the other run finishes
  const waited = await waiting;
  expect(waited.code).toBe(0);
  expect(waited.err).toContain("Imported 1 endpoint into stack test: legacy-rerank");
});
