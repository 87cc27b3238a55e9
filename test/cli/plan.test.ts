/**
 * `esinfer plan` as a user sees it: Terraform-style symbols, reasons and old -> new values, secrets as
 * `(sensitive)`, colors only where they belong, JSON and Markdown, `--detailed-exitcode`, saved plans, and clear
 * messages for manifests that are wrong or cannot be read.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { ANSI, elser, embeddings, lines, rerank, useCli, useEndpoint, createOutsideEsinfer } from "./harness";

const cli = useCli();

const ROTATED = { OPENAI_API_KEY: "sk-CANARY-cli-rotated-0b9e" };

/** Applies elser, emb and rerank, then declares: emb changed in place, rerank replaced, elser gone, elser-2 new. */
async function everyAction(): Promise<void> {
  cli.manifest([elser(), embeddings(), rerank()]);
  expect((await cli.run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0);
  cli.manifest([
    embeddings({ task_settings: { user: "ingest" } }),
    rerank({ service_settings: { model_id: "rerank-v4.0", api_key: { env: "COHERE_API_KEY" } } }),
    elser({ inference_id: "elser-2" }),
  ]);
}

describe("human output", () => {
  test("every action with its symbol, reasons, field-level old -> new values, secrets as (sensitive)", async () => {
    await everyAction();
    const { code, out, err } = await cli.run(["plan", "-f", "m.json"], { env: ROTATED });
    expect(code).toBe(0);
    expect(err).toBe("");
    const blocks = out.split("\n\n");
    expect(blocks[0]).toBe(
      `Stack test on Elasticsearch ${cli.emu.version} at ${cli.emu.url}, cluster esinfer-emulator`,
    );
    expect(blocks.slice(1)).toEqual([
      [
        "  - delete elser (elasticsearch sparse_embedding)",
        "      # removed from the declarations",
        "      - service_settings.num_allocations = 1",
        "      - service_settings.num_threads = 1",
        '      - service_settings.model_id = ".elser_model_2"',
        '      - service_settings.deployment_id = "elser"',
        "      # not used by any pipeline or index",
      ].join("\n"),
      [
        "  + create elser-2 (elasticsearch sparse_embedding)",
        "      # not in the cluster",
        '      + service_settings.model_id = ".elser_model_2"',
        "      + service_settings.num_allocations = 1",
        "      + service_settings.num_threads = 1",
        '      + chunking_settings = {"max_chunk_size":250,"sentence_overlap":1,"strategy":"sentence"}',
      ].join("\n"),
      [
        "  ~ update in place emb (openai text_embedding)",
        "      # 2 fields differ; _update applies all of them",
        "      ~ service_settings.api_key = (sensitive) -> (sensitive, from OPENAI_API_KEY)",
        '      ~ task_settings.user = "search" -> "ingest"',
      ].join("\n"),
      [
        "-/+ replace rerank (cohere rerank)",
        `      # service_settings.model_id: _update on Elasticsearch ${cli.emu.version} does not change service_settings.model_id`,
        `      ~ service_settings.model_id = "rerank-v3.5" -> "rerank-v4.0"  # forces replacement: _update on Elasticsearch ${cli.emu.version} does not change service_settings.model_id`,
        "      # not used by any pipeline or index",
      ].join("\n"),
      "Plan: 1 to create, 1 to update in place, 1 to replace, 1 to delete; 0 unchanged.\n",
    ]);
    expect(out).not.toContain("sk-CANARY-cli-rotated"); // the rotated key is a secret too
  });

  test("a new secret prints (sensitive) on create; no changes after apply", async () => {
    cli.manifest([embeddings()]);
    const first = await cli.run(["plan", "-f", "m.json"]);
    expect(lines(first.out)).toContain("      + service_settings.api_key = (sensitive, from OPENAI_API_KEY)");
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    const again = await cli.run(["plan", "-f", "m.json"]);
    expect(lines(again.out).slice(1)).toEqual(["", "No changes. The cluster matches the declarations (1 endpoint)."]);
  });

  test("endpoints in use: who uses them, and the warnings, before anything is applied", async () => {
    cli.manifest([embeddings()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    await useEndpoint(cli.emu, "emb");
    cli.manifest([
      embeddings({
        service_settings: { model_id: "text-embedding-3-small", api_key: { env: "OPENAI_API_KEY" }, dimensions: 256 },
      }),
    ]);
    const { out } = await cli.run(["plan", "-f", "m.json"]);
    expect(lines(out)).toEqual(
      expect.arrayContaining([
        "-/+ replace emb (openai text_embedding)",
        "      # used by pipelines [embed-docs] and indexes [docs]",
        "      Warning: in use: pipelines [embed-docs] and indexes [docs]; apply refuses to replace it unless --allow-in-use",
      ]),
    );
  });

  test("unmanaged endpoints and unchecked secrets of unchanged endpoints are warned about", async () => {
    cli.manifest([embeddings()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    createOutsideEsinfer(cli.emu);
    // The key is gone from this environment: nothing to change, but rotation cannot be checked.
    const { code, out } = await cli.run(["plan", "-f", "m.json"], { env: { OPENAI_API_KEY: undefined } });
    expect(code).toBe(0);
    expect(lines(out).slice(-4)).toEqual([
      "No changes. The cluster matches the declarations (1 endpoint).",
      "",
      "Warning: 1 endpoint in the cluster is not managed by this stack and left alone: someone-elses",
      "Warning: emb: service_settings.api_key: rotation not checked: environment variable OPENAI_API_KEY is not set (it holds a secret this endpoint needs)",
    ]);
  });

  test("--destroy plans the deletion of everything the stack owns, and nothing else", async () => {
    cli.manifest([embeddings(), rerank()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    createOutsideEsinfer(cli.emu);
    const { code, out } = await cli.run(["plan", "-f", "m.json", "--destroy", "--detailed-exitcode"]);
    expect(code).toBe(2);
    expect(lines(out)).toEqual(
      expect.arrayContaining([
        "  - delete emb (openai text_embedding)",
        "  - delete rerank (cohere rerank)",
        "      # esinfer destroy",
        "Plan: 0 to create, 0 to update in place, 0 to replace, 2 to delete; 0 unchanged.",
      ]),
    );
    expect(out).not.toContain("delete someone-elses");
  });
});

describe("colors", () => {
  const plan = async (env: Record<string, string | undefined>, tty: boolean) => {
    cli.manifest([embeddings()]);
    return (await cli.run(["plan", "-f", "m.json"], { env, tty })).out;
  };

  test("on a terminal: colored symbols, and the same text underneath", async () => {
    const colored = await plan({ NO_COLOR: undefined }, true);
    expect(colored).toContain("\u001b[32m  + create\u001b[39m");
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\u001b\[\d+m/g, "")).toBe(await plan({ NO_COLOR: undefined }, false));
  });

  test("never when piped, never with NO_COLOR even on a terminal; FORCE_COLOR forces them", async () => {
    expect(await plan({ NO_COLOR: undefined }, false)).not.toMatch(ANSI);
    expect(await plan({ NO_COLOR: "1" }, true)).not.toMatch(ANSI);
    expect(await plan({ NO_COLOR: "1", FORCE_COLOR: "1" }, true)).not.toMatch(ANSI); // NO_COLOR wins
    expect(await plan({ NO_COLOR: undefined, FORCE_COLOR: "1" }, false)).toMatch(ANSI);
    expect(await plan({ NO_COLOR: undefined, FORCE_COLOR: "0" }, true)).not.toMatch(ANSI);
  });

  test("errors on a terminal are colored too, and plain with NO_COLOR", async () => {
    cli.write("bad.json", { stack: "test", cluster: { url: cli.emu.url }, endpoints: [{ inference_id: "x" }] });
    const colored = await cli.run(["plan", "-f", "bad.json"], { env: { NO_COLOR: undefined }, tty: true });
    expect(colored.err).toMatch(ANSI);
    const plain = await cli.run(["plan", "-f", "bad.json"], { tty: true });
    expect(plain.err).not.toMatch(ANSI);
  });
});

describe("--json and --format markdown", () => {
  test("--json prints the versioned plan document and nothing else", async () => {
    await everyAction();
    const { code, out, err } = await cli.run(["plan", "-f", "m.json", "--json"], { env: ROTATED });
    expect(code).toBe(0);
    expect(err).toBe("");
    const plan = JSON.parse(out);
    expect(plan).toMatchObject({
      format_version: "1.0",
      stack: "test",
      cluster: { url: cli.emu.url, version: cli.emu.version, serverless: false, cluster_name: "esinfer-emulator" },
      summary: { create: 1, update: 1, replace: 1, delete: 1, "no-op": 0 },
      warnings: [],
      basis: { live_digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), state_serial: expect.any(Number) },
    });
    expect(plan.endpoints.map((e: { inference_id: string; action: string }) => [e.inference_id, e.action])).toEqual([
      ["elser", "delete"],
      ["elser-2", "create"],
      ["emb", "update"],
      ["rerank", "replace"],
    ]);
    const emb = plan.endpoints[2];
    expect(emb.changes).toEqual([
      {
        path: "service_settings.api_key",
        before: "(sensitive)",
        after: "(sensitive)",
        sensitive: true,
        reference: "OPENAI_API_KEY",
      },
      { path: "task_settings.user", before: "search", after: "ingest", sensitive: false },
    ]);
    expect(emb.declared.service_settings.api_key).toEqual({ env: "OPENAI_API_KEY" });
    expect(emb.secret_fingerprints["service_settings.api_key"]).toMatch(/^hmac-sha256:[0-9a-f]+$/);
    expect(plan.endpoints[3].changes[0]).toMatchObject({
      path: "service_settings.model_id",
      forces_replace: expect.stringContaining("does not change service_settings.model_id"),
    });
    // --format json is the same document
    const same = await cli.run(["plan", "-f", "m.json", "--format", "json"], { env: ROTATED });
    expect({ ...JSON.parse(same.out), created_at: "" }).toEqual({ ...plan, created_at: "" });
  });

  test("--format markdown: a pull-request comment with a table and diff blocks", async () => {
    await everyAction();
    const { code, out } = await cli.run(["plan", "-f", "m.json", "--format", "markdown"], { env: ROTATED });
    expect(code).toBe(0);
    expect(lines(out).slice(0, 12)).toEqual([
      "### esinfer plan: stack `test`",
      "",
      "**Plan: 1 to create, 1 to update in place, 1 to replace, 1 to delete; 0 unchanged.**",
      "",
      `<sub>Elasticsearch ${cli.emu.version} at ${cli.emu.url}, cluster esinfer-emulator</sub>`,
      "",
      "| Action | Endpoint | Service / task type | Fields changed |",
      "| --- | --- | --- | --- |",
      "| 🔴 delete | `elser` | elasticsearch / sparse\\_embedding | all (endpoint removed) |",
      "| 🟢 create | `elser-2` | elasticsearch / sparse\\_embedding | 4 fields (new) |",
      "| 🟡 update in place | `emb` | openai / text\\_embedding | `service_settings.api_key`, `task_settings.user` |",
      "| 🟣 replace | `rerank` | cohere / rerank | `service_settings.model_id` |",
    ]);
    expect(out).toContain(
      "```diff\n- service_settings.api_key = (sensitive)\n+ service_settings.api_key = (sensitive, from OPENAI_API_KEY)\n",
    );
    expect(out).toContain('+ service_settings.model_id = "rerank-v4.0"  # forces replacement\n');
    expect(out).not.toMatch(ANSI);
  });

  test("an unknown format is a usage error", async () => {
    cli.manifest([]);
    const { code, out, err } = await cli.run(["plan", "-f", "m.json", "--format", "yaml"]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe("esinfer: --format yaml: choose human, json or markdown\n");
  });
});

describe("--detailed-exitcode", () => {
  test("0 without changes, 2 with changes, 1 on error; without the flag, 0 either way", async () => {
    cli.manifest([embeddings()]);
    expect((await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"])).code).toBe(2);
    expect((await cli.run(["plan", "-f", "m.json"])).code).toBe(0);
    expect((await cli.run(["plan", "-f", "m.json", "--detailed-exitcode", "--json"])).code).toBe(2);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    expect((await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"])).code).toBe(0);
    // Not applicable (the id belongs to nobody in this stack): an error, not "changes".
    cli.emu.createEndpoint(
      "rerank",
      { service: "cohere", service_settings: { model_id: "x", api_key: "k-123456" } },
      "rerank",
    );
    cli.manifest([embeddings(), rerank()]);
    const failed = await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"]);
    expect(failed.code).toBe(1);
    expect(failed.out).toBe("");
    expect(lines(failed.err)).toEqual([
      "Error: the plan cannot be made",
      "  ✗ rerank: inference_id: already exists in the cluster (cohere rerank) and is not managed by stack test; adopt it with `esinfer import rerank`, or choose another inference_id",
    ]);
  });

  test("an unreadable manifest is an error (1), never mistaken for changes (2)", async () => {
    const { code, err } = await cli.run(["plan", "-f", "missing.json", "--detailed-exitcode"]);
    expect(code).toBe(1);
    expect(err).toMatch(/^esinfer: cannot read manifest .*missing\.json: no such file\n$/);
  });

  test("a cluster that cannot be reached: exit 1 and what failed", async () => {
    cli.write("down.json", {
      stack: "test",
      cluster: { url: "http://127.0.0.1:9", request_timeout_ms: 500 },
      endpoints: [],
    });
    const { code, out, err } = await cli.run(["plan", "-f", "down.json", "--detailed-exitcode"]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toMatch(
      /^Error: nothing accepts connections at http:\/\/127\.0\.0\.1:9 \(from cluster\.url of stack test\): .*\(GET \/.*: connect ECONNREFUSED/,
    );
  });
});

describe("manifests that are wrong or unreadable", () => {
  test("validation: exit 1 and every problem listed, never the literal secret", async () => {
    cli.write("bad.json", {
      stack: "Bad Name!",
      cluster: { url: cli.emu.url, api_key: "sk-CANARY-cli-4e1d-never-print" },
      endpoints: [
        embeddings({ service_settings: { model_id: "x", api_key: "sk-CANARY-cli-4e1d-never-print" } }),
        rerank({ service: "cohre" }),
      ],
      statte: {},
    });
    const { code, out, err } = await cli.run(["plan", "-f", "bad.json"]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(lines(err)).toEqual([
      `Error: Invalid manifest ${join(cli.dir(), "bad.json")}: 5 problems`,
      '  ✗ manifest: statte: is not a manifest field; did you mean "state"? (allowed: stack, cluster, endpoints, absent, state)',
      '  ✗ manifest: stack: must be a name of letters, digits, _, - and . (allowed: e.g. "prod" or "search-dev")',
      '  ✗ cluster: cluster.api_key: is a literal credential, which esinfer never stores; declare a reference instead (allowed: {"env": "ES_API_KEY"} or {"file": "PATH"})',
      expect.stringMatching(
        /^ {2}✗ emb: service_settings\.api_key: is a literal secret, which esinfer never stores or prints; declare a reference instead/,
      ),
      expect.stringMatching(
        /^ {2}✗ rerank: service: is not an Elasticsearch inference service: "cohre"; did you mean "cohere"\?/,
      ),
    ]);
    expect(cli.emu.requests.list()).toEqual([]); // nothing was asked of the cluster
  });

  test.each([
    ["a missing file", "missing.json", /^esinfer: cannot read manifest .*missing\.json: no such file\n$/],
    ["not JSON", "broken.json", /^esinfer: manifest .*broken\.json is not valid JSON: /],
    ["a directory", "adir", /^esinfer: cannot read manifest .*adir: it is a directory, not a file\n$/],
  ])(
    "unreadable (%s): exit 1 (as every error; 2 only ever means changes) with a clear message",
    async (_what, name, message) => {
      cli.write("broken.json", '{"stack": "test", oops');
      await import("node:fs").then((fs) => fs.mkdirSync(join(cli.dir(), "adir")));
      for (const command of [["plan"], ["apply", "--auto-approve"], ["destroy", "--auto-approve"]]) {
        const { code, out, err } = await cli.run([...command, "-f", name]);
        expect([command[0], code]).toEqual([command[0], 1]);
        expect(out).toBe("");
        expect(err).toMatch(message);
      }
    },
  );

  test("a credential reference that does not resolve: exit 1, naming the variable", async () => {
    cli.manifest([], { cluster: { url: cli.emu.url, api_key: { env: "ES_API_KEY" } } });
    const { code, err } = await cli.run(["plan", "-f", "m.json"]);
    expect(code).toBe(1);
    expect(err).toBe(
      "esinfer: cannot connect to the cluster of stack test: cluster.api_key: environment variable ES_API_KEY is not set\n",
    );
  });

  test("a declared secret that is not set: the plan is made (a pull request has no production secrets), apply refuses before any change", async () => {
    cli.manifest([embeddings()]);
    const noSecret = { env: { OPENAI_API_KEY: undefined } };
    for (const format of ["human", "json", "markdown"]) {
      const { code, out } = await cli.run(
        ["plan", "-f", "m.json", "--format", format, "--detailed-exitcode"],
        noSecret,
      );
      expect([format, code]).toEqual([format, 2]); // the exit code the plan would have had with the secret
      const text = out.replace(/\\/g, ""); // markdown escapes _
      expect(text).toContain("service_settings.api_key: environment variable OPENAI_API_KEY is not set");
      expect(text).toContain("apply needs it to create the endpoint");
    }
    const human = await cli.run(["plan", "-f", "m.json"], noSecret);
    expect(lines(human.out)).toContain("      + service_settings.api_key = (sensitive, from OPENAI_API_KEY)");
    const apply = await cli.run(["apply", "-f", "m.json", "--auto-approve"], noSecret);
    expect(apply.code).toBe(1);
    expect(apply.err).toContain(
      "apply needs secrets that are not available here, so nothing was changed: emb service_settings.api_key (environment variable OPENAI_API_KEY is not set",
    );
    expect(cli.writes()).toEqual([]);
  });

  test("--stack must name the manifest's stack", async () => {
    cli.manifest([]);
    const { code, err } = await cli.run(["plan", "-f", "m.json", "--stack", "prod"]);
    expect(code).toBe(1);
    expect(err).toBe("esinfer: --stack prod: the manifest declares stack test\n");
  });
});

describe("--out", () => {
  test("saves the plan document (owner-only) and says how to apply it", async () => {
    cli.manifest([embeddings()]);
    const { code, out } = await cli.run(["plan", "-f", "m.json", "--out", "plan.json"]);
    expect(code).toBe(0);
    expect(lines(out).slice(-2)).toEqual([
      "",
      "Saved the plan to plan.json. Apply exactly it with: esinfer apply -f m.json plan.json",
    ]);
    const saved = JSON.parse(cli.read("plan.json"));
    expect(saved).toMatchObject({ format_version: "1.0", stack: "test", summary: { create: 1 } });
    expect(statSync(join(cli.dir(), "plan.json")).mode & 0o777).toBe(0o600);
  });

  test("with --json, stdout is the document alone and the note goes to stderr", async () => {
    cli.manifest([embeddings()]);
    const { out, err } = await cli.run(["plan", "-f", "m.json", "--json", "--out", "plan.json"]);
    // The file is the document with its MAC (the key lives with the state, never in the file).
    const { mac, ...document } = JSON.parse(cli.read("plan.json")) as Record<string, unknown>;
    expect(mac).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(JSON.parse(out)).toEqual(document);
    expect(err).toBe("Saved the plan to plan.json. Apply exactly it with: esinfer apply -f m.json plan.json\n");
  });

  test("a place it cannot be written: exit 1 and why", async () => {
    cli.manifest([embeddings()]);
    cli.write("a-file", "x");
    const { code, err } = await cli.run(["plan", "-f", "m.json", "--out", "a-file/plan.json"]);
    expect(code).toBe(1);
    expect(err).toMatch(/^esinfer: cannot save the plan to a-file\/plan\.json: .*(ENOTDIR|EEXIST)/);
  });
});
