/**
 * `esinfer apply` and `esinfer destroy` as a user sees them: confirmation on a terminal (and a refusal without
 * one), progress one line per event in CI, endpoints in use, partial failure and the re-run that converges,
 * `--verify`, `--json`, saved plans applied as saved or refused as stale, and concurrent runs.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { elser, embeddings, lines, rerank, useCli, useEndpoint, createOutsideEsinfer } from "./harness";

const cli = useCli();

/** Progress and summaries without their timings. */
const untimed = (text: string) => text.replace(/\d+(\.\d+)? (ms|s)\b/g, "T");

const endpointIds = () => cli.emu.endpoints().map((e) => e.inference_id);

describe("confirmation", () => {
  test("on a terminal, 'yes' applies", async () => {
    cli.manifest([embeddings()]);
    // stdin, stdout and stderr all terminals, as in a real one
    const { code, out } = await cli.run(["apply", "-f", "m.json"], { typed: "yes\n", tty: true });
    expect(code).toBe(0);
    expect(out).toContain(
      "Plan: 1 to create, 0 to update in place, 0 to replace, 0 to delete; 0 unchanged.\n\n" +
        "Do you want to apply these changes? Only 'yes' will be accepted: ",
    );
    expect(lines(out).slice(-1)).toEqual(["Apply complete: 1 created, 0 updated in place, 0 replaced, 0 deleted."]);
    expect(endpointIds()).toEqual(["emb"]);
  });

  test.each([
    ["no", "no\n"],
    ["y", "y\n"],
    ["YES", "YES\n"],
    ["an empty line", "\n"],
    ["end of input", ""],
  ])("on a terminal, %s cancels: exit 1 and nothing changed", async (_what, typed) => {
    cli.manifest([embeddings(), rerank()]);
    const { code, out, err } = await cli.run(["apply", "-f", "m.json"], { typed });
    expect(code).toBe(1);
    // (a terminal would echo what was typed, and its newline, after the question)
    expect(out).toMatch(/Only 'yes' will be accepted: \n?Apply cancelled; nothing was changed\.\n$/);
    expect(err).toBe("");
    expect(cli.writes()).toEqual([]);
    expect(cli.stateFiles()).toEqual([]); // no state written, and the lock released
    expect((await cli.run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0); // nothing left locked
  });

  test("without a terminal and without --auto-approve: refused with what to do instead", async () => {
    cli.manifest([embeddings()]);
    const { code, out, err } = await cli.run(["apply", "-f", "m.json"]);
    expect(code).toBe(1);
    expect(out).toContain("  + create emb (openai text_embedding)"); // the plan it would have applied
    expect(err).toBe(
      "esinfer: apply needs confirmation and stdin is not a terminal: pass --auto-approve, or save the plan with esinfer plan --out FILE and apply that file\n",
    );
    expect(cli.writes()).toEqual([]);
  });

  test("nothing to do: no question, exit 0", async () => {
    cli.manifest([]);
    const { code, out } = await cli.run(["apply", "-f", "m.json"]);
    expect(code).toBe(0);
    expect(lines(out).slice(-1)).toEqual(["No changes. The cluster matches the declarations (0 endpoints)."]);
    expect(out).not.toContain("Do you want");
  });
});

describe("--auto-approve and progress", () => {
  test("without a terminal: exactly one plain line per event, then a summary", async () => {
    cli.manifest([elser(), embeddings()]);
    const { code, out, err } = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--parallelism", "1"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    const progress = lines(untimed(out)).slice(
      lines(out).indexOf("Plan: 2 to create, 0 to update in place, 0 to replace, 0 to delete; 0 unchanged.") + 1,
    );
    expect(progress).toEqual([
      "[  0/2] + elser: creating...",
      "[  1/2] + elser: created (T)",
      "[  1/2] + emb: creating...",
      "[  2/2] + emb: created (T)",
      "Finished 2 of 2 endpoints in T: 2 succeeded, 0 failed.",
      "",
      "Apply complete: 2 created, 0 updated in place, 0 replaced, 0 deleted.",
    ]);
    expect(out).not.toMatch(/\r|\u001b/);
    expect(endpointIds()).toEqual(["elser", "emb"]);
  });

  test("CI counts as no terminal for progress even when stdout is one", async () => {
    cli.manifest([embeddings()]);
    const { out } = await cli.run(["apply", "-f", "m.json", "--auto-approve"], { tty: true, env: { CI: "true" } });
    expect(untimed(out)).toContain("[  0/1] + emb: creating...\n[  1/1] + emb: created (T)\n");
    expect(out).not.toContain("\u001b"); // no cursor movement
    expect(out).not.toContain("Applying "); // no bar
  });

  test("on a terminal: a live bar, the finished steps kept above it", async () => {
    cli.manifest([embeddings()]);
    const { code, out } = await cli.run(["apply", "-f", "m.json", "--auto-approve"], { tty: true });
    expect(code).toBe(0);
    expect(out).toContain("Applying ");
    expect(untimed(out)).toContain("[  1/1] + emb: created (T)\n");
    expect(untimed(out)).toContain("Finished 1 of 1 endpoint in T: 1 succeeded, 0 failed.\n");
  });

  test("update in place and replace, as planned", async () => {
    cli.manifest([embeddings(), rerank()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    cli.manifest([
      embeddings({ task_settings: { user: "ingest" } }),
      rerank({ service_settings: { model_id: "rerank-v4.0", api_key: { env: "COHERE_API_KEY" } } }),
    ]);
    cli.emu.requests.clear();
    const { code, out } = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--parallelism", "1"]);
    expect(code).toBe(0);
    expect(untimed(out)).toContain(
      [
        "[  0/2] ~ emb: updating in place...",
        "[  1/2] ~ emb: updated in place (T)",
        "[  1/2] -/+ rerank: replacing (delete, then create)...",
        "[  2/2] -/+ rerank: replaced (T)",
      ].join("\n"),
    );
    expect(lines(out).slice(-1)).toEqual(["Apply complete: 0 created, 1 updated in place, 1 replaced, 0 deleted."]);
    // the replaced endpoint is deleted before its new version is created
    expect(cli.writes()).toEqual([
      "PUT /_inference/text_embedding/emb/_update",
      "DELETE /_inference/rerank",
      "PUT /_inference/rerank/rerank",
    ]);
    expect((await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"])).code).toBe(0);
  });

  test("--timeout is sent with each create", async () => {
    cli.manifest([embeddings()]);
    expect((await cli.run(["apply", "-f", "m.json", "--auto-approve", "--timeout", "45s"])).code).toBe(0);
    expect(cli.writes()).toEqual([
      "POST /esinfer-state/_bulk?refresh=false", // the stack's ownership claim, before the create
      "PUT /_inference/text_embedding/emb?timeout=45s",
    ]);
  });

  test.each([
    [["--parallelism", "0"], "esinfer: --parallelism 0: must be a positive integer\n"],
    [["--lock-timeout", "soon"], "esinfer: --lock-timeout soon: a duration such as 30s, 2m or 500ms\n"],
    [["--timeout", "forever"], "esinfer: --timeout forever: a duration such as 30s, 2m or 500ms\n"],
  ])("bad option %j: exit 1, nothing changed", async (flags, message) => {
    cli.manifest([embeddings()]);
    const { code, err } = await cli.run(["apply", "-f", "m.json", "--auto-approve", ...flags]);
    expect(code).toBe(1);
    expect(err).toBe(message);
    expect(cli.writes()).toEqual([]);
  });
});

describe("endpoints in use", () => {
  const inUse = async () => {
    cli.manifest([embeddings()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    await useEndpoint(cli.emu, "emb");
    cli.manifest([
      embeddings({
        service_settings: { model_id: "text-embedding-3-large", api_key: { env: "OPENAI_API_KEY" }, dimensions: 512 },
      }),
    ]);
    cli.emu.requests.clear();
  };

  test("a replace is refused without --allow-in-use: exit 1, who uses it, nothing changed", async () => {
    await inUse();
    const { code, out, err } = await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    expect(code).toBe(1);
    expect(out).toContain("      # used by pipelines [embed-docs] and indexes [docs]");
    expect(err).toBe(
      "Error: refusing to replace emb (used by pipelines [embed-docs] and indexes [docs]): deleting an endpoint breaks what uses it. Re-run with --allow-in-use to do it anyway (force=true is sent).\n",
    );
    expect(cli.writes()).toEqual([]);
    expect(cli.emu.endpoints()[0]!.service_settings.model_id).toBe("text-embedding-3-small");
  });

  test("with --allow-in-use: force=true is sent and the warning repeated as it happens", async () => {
    await inUse();
    const { code, out } = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--allow-in-use"]);
    expect(code).toBe(0);
    expect(lines(untimed(out))).toEqual(
      expect.arrayContaining([
        "      Warning: in use: pipelines [embed-docs] and indexes [docs]; apply refuses to replace it unless --allow-in-use",
        "[  0/1] ! emb: in use by pipelines [embed-docs] and indexes [docs]: sending force=true (--allow-in-use)",
        "[  1/1] -/+ emb: replaced (T)",
        "Apply complete: 0 created, 0 updated in place, 1 replaced, 0 deleted.",
      ]),
    );
    expect(cli.writes()).toEqual(["DELETE /_inference/emb?force=true", "PUT /_inference/text_embedding/emb"]);
    expect(cli.emu.endpoints()[0]!.service_settings.model_id).toBe("text-embedding-3-large");
  });

  test("destroy of an endpoint in use: refused, then forced", async () => {
    await inUse();
    const refused = await cli.run(["destroy", "-f", "m.json", "--auto-approve"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("Error: refusing to delete emb (used by pipelines [embed-docs] and indexes [docs])");
    expect(endpointIds()).toEqual(["emb"]);
    const forced = await cli.run(["destroy", "-f", "m.json", "--auto-approve", "--allow-in-use"]);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain("! emb: in use by pipelines [embed-docs] and indexes [docs]: sending force=true");
    // The endpoint, then its ownership claim.
    expect(cli.writes()).toEqual(["DELETE /_inference/emb?force=true", "POST /esinfer-state/_bulk?refresh=false"]);
    expect(endpointIds()).toEqual([]);
  });
});

describe("partial failure", () => {
  test("every endpoint's outcome is printed, exit 1, and a re-run converges without duplicates", async () => {
    cli.emu.faults.error({ method: "PUT", path: "/_inference/rerank/rerank", status: 500, count: 100 });
    cli.manifest([elser(), embeddings(), rerank()]);
    const failed = await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    expect(failed.code).toBe(1);
    const out = untimed(failed.out);
    for (const line of [
      "+ elser: created (T)",
      "+ emb: created (T)",
      "✗ rerank: create failed: injected internal server error (PUT /_inference/rerank/rerank: 500 exception) (T)",
      "Finished 3 of 3 endpoints in T: 2 succeeded, 1 failed.",
    ])
      expect(out).toContain(line);
    expect(lines(failed.err)).toEqual([
      "",
      "Apply failed for 1 of 3 endpoints (2 created, 0 updated in place, 0 replaced, 0 deleted):",
      "  ✗ rerank (create): injected internal server error (PUT /_inference/rerank/rerank: 500 exception)",
      "Run esinfer plan to see where each endpoint stands; applying again converges.",
    ]);
    expect(endpointIds()).toEqual(["elser", "emb"]);

    cli.emu.faults.clear();
    const plan = await cli.run(["plan", "-f", "m.json"]);
    expect(lines(plan.out)).toEqual(
      expect.arrayContaining([
        "  + create rerank (cohere rerank)",
        "      # an earlier create did not complete",
        "Plan: 1 to create, 0 to update in place, 0 to replace, 0 to delete; 2 unchanged.",
      ]),
    );
    cli.emu.requests.clear();
    const rerun = await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    expect(rerun.code).toBe(0);
    expect(cli.writes()).toEqual(["PUT /_inference/rerank/rerank"]); // only what was missing
    expect(endpointIds()).toEqual(["elser", "emb", "rerank"]);
    expect((await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"])).code).toBe(0);
  });

  test("an update in place the cluster refuses: exit 1 with the server's reason", async () => {
    cli.manifest([embeddings()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    cli.manifest([embeddings({ task_settings: { user: "ingest" } })]);
    cli.emu.faults.error({
      method: "PUT",
      path: "/_inference/text_embedding/emb/_update",
      status: 400,
      type: "illegal_argument_exception",
      reason: "task_settings.user cannot be updated",
      count: 1,
    });
    const { code, err } = await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    expect(code).toBe(1);
    expect(err).toContain(
      "  ✗ emb (update): task_settings.user cannot be updated (PUT /_inference/text_embedding/emb/_update: 400 illegal_argument_exception)",
    );
    expect(cli.emu.endpoints()[0]!.task_settings).toEqual({ user: "search" });
    expect((await cli.run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0); // and the re-run converges
    expect(cli.emu.endpoints()[0]!.task_settings).toEqual({ user: "ingest" });
  });
});

describe("--verify", () => {
  test("one inference per endpoint created or changed, with what was checked", async () => {
    cli.manifest([embeddings(), rerank()]);
    const { code, out } = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--verify", "--parallelism", "1"]);
    expect(code).toBe(0);
    expect(untimed(out)).toContain("✓ emb: verified: 1 embedding(s) of 512 dimensions (T)");
    expect(untimed(out)).toContain("✓ rerank: verified: 2 documents ranked (T)");
    const inferences = () =>
      cli.emu.requests
        .list({ method: "POST" })
        .map((r) => r.path)
        .filter((path) => path.startsWith("/_inference/"))
        .sort();
    expect(inferences()).toEqual(["/_inference/rerank/rerank", "/_inference/text_embedding/emb"]);
    // an unchanged endpoint is not verified again
    cli.emu.requests.clear();
    await cli.run(["apply", "-f", "m.json", "--auto-approve", "--verify"]);
    expect(inferences()).toEqual([]);
  });

  test("a failed verification fails the apply, naming the endpoint", async () => {
    cli.emu.faults.error({
      method: "POST",
      path: "/_inference/text_embedding/emb",
      status: 400,
      reason: "provider said no",
    });
    cli.manifest([embeddings()]);
    const { code, out, err } = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--verify"]);
    expect(code).toBe(1);
    expect(out).toContain(
      "✗ emb: verification failed: inference failed: provider said no (POST /_inference/text_embedding/emb: 400",
    );
    expect(err).toContain("  ✗ emb (create): verification failed: inference failed:");
    expect(endpointIds()).toEqual(["emb"]); // created, and said to be broken
  });
});

describe("--json", () => {
  test("stdout is one JSON document of outcomes; progress goes to stderr", async () => {
    cli.emu.faults.error({ method: "PUT", path: "/_inference/rerank/rerank", status: 500, count: 1 });
    cli.manifest([embeddings(), rerank()]);
    const { code, out, err } = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--json"]);
    expect(code).toBe(1);
    const doc = JSON.parse(out);
    expect(doc).toEqual({
      format_version: "1.0",
      stack: "test",
      summary: { create: 2, update: 0, replace: 0, delete: 0, "no-op": 0 },
      failed: 1,
      outcomes: [
        { inference_id: "emb", action: "create", status: "ok", duration_ms: expect.any(Number) },
        {
          inference_id: "rerank",
          action: "create",
          status: "failed",
          error: "injected internal server error (PUT /_inference/rerank/rerank: 500 exception)",
          duration_ms: expect.any(Number),
        },
      ],
    });
    expect(untimed(err)).toContain("Finished 2 of 2 endpoints in T: 1 succeeded, 1 failed.");

    const again = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ failed: 0, outcomes: [{ inference_id: "rerank", status: "ok" }] });
    const none = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--json"]);
    expect(JSON.parse(none.out)).toMatchObject({ summary: { "no-op": 2 }, failed: 0, outcomes: [] });
  });

  test("--json without --auto-approve is refused before anything happens", async () => {
    cli.manifest([embeddings()]);
    const { code, out, err } = await cli.run(["apply", "-f", "m.json", "--json"], { typed: "yes\n" });
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      "esinfer: apply --json needs --auto-approve (or a saved plan): there is no one to confirm the plan\n",
    );
    expect(cli.emu.requests.list()).toEqual([]);
  });
});

describe("saved plans", () => {
  /** A stack with state, and a saved plan of a change to it. */
  const saved = async () => {
    cli.manifest([embeddings(), elser()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    cli.manifest([embeddings({ task_settings: { user: "ingest" } }), rerank()]);
    expect((await cli.run(["plan", "-f", "m.json", "--out", "plan.json"])).code).toBe(0);
    cli.emu.requests.clear();
  };

  test("refused when the manifest changed since: its actions no longer follow from the declarations", async () => {
    await saved();
    // not what was reviewed
    cli.manifest([embeddings({ task_settings: { user: "something-else" } }), rerank({ task_settings: { top_n: 1 } })]);
    const { code, err } = await cli.run(["apply", "-f", "m.json", "plan.json"]);
    expect(code).toBe(1);
    expect(err).toBe(
      "Error: Saved plan is stale: its actions no longer follow from the declarations and the cluster (emb (update) no longer has the same declaration or changes). Run esinfer plan again.\n",
    );
    expect(cli.writes()).toEqual([]);
  });

  test("applied exactly as saved, without asking", async () => {
    await saved();
    const { code, out, err } = await cli.run(["apply", "-f", "m.json", "plan.json"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(lines(out)[0]).toBe(
      "Applying the saved plan plan.json: Plan: 1 to create, 1 to update in place, 0 to replace, 1 to delete; 0 unchanged.",
    );
    expect(lines(out).slice(-1)).toEqual(["Apply complete: 1 created, 1 updated in place, 0 replaced, 1 deleted."]);
    expect(endpointIds()).toEqual(["emb", "rerank"]);
    expect(cli.emu.endpoints().map((e) => e.task_settings)).toEqual([{ user: "ingest" }, { top_n: 5 }]);
    // applied once: the same file again is stale (the state moved on)
    const twice = await cli.run(["apply", "-f", "m.json", "plan.json"]);
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(
      /^Error: Saved plan is stale: the stack's state changed since \(serial \d+ then, \d+ now\)\. Run esinfer plan again\.\n$/,
    );
  });

  test("refused as stale when the cluster changed since: exit 1, nothing changed", async () => {
    await saved();
    await fetch(`${cli.emu.url}/_inference/text_embedding/emb/_update`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ task_settings: { user: "changed-by-hand" } }),
    });
    cli.emu.requests.clear();
    const { code, out, err } = await cli.run(["apply", "-f", "m.json", "plan.json"]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe(
      "Error: Saved plan is stale: the cluster changed since (an endpoint of the plan was created, changed or deleted, or the cluster was upgraded). Run esinfer plan again.\n",
    );
    expect(cli.writes()).toEqual([]);
    expect(endpointIds()).toEqual(["elser", "emb"]);
  });

  test("refused as stale when the state changed since (another apply)", async () => {
    await saved();
    cli.manifest([embeddings(), elser(), rerank()], {}, "other.json"); // the same stack, applied from elsewhere
    expect((await cli.run(["apply", "-f", "other.json", "--auto-approve"])).code).toBe(0);
    cli.emu.requests.clear();
    const { code, err } = await cli.run(["apply", "-f", "m.json", "plan.json"]);
    expect(code).toBe(1);
    expect(err).toMatch(/^Error: Saved plan is stale: the stack's state changed since/);
    expect(cli.writes()).toEqual([]);
  });

  test("refused when the secret it was planned with changed", async () => {
    await saved();
    const { code, err } = await cli.run(["apply", "-f", "m.json", "plan.json"], {
      env: { COHERE_API_KEY: "co-CANARY-cli-other-1f2e" },
    });
    expect(code).toBe(1);
    expect(err).toBe(
      "Error: Saved plan is stale: rerank service_settings.api_key has a different value than when the plan was made. Run esinfer plan again.\n",
    );
    expect(cli.writes()).toEqual([]);
  });

  test("refused for another stack", async () => {
    await saved();
    cli.write("prod.json", { stack: "prod", cluster: { url: cli.emu.url }, endpoints: [] });
    const { code, err } = await cli.run(["apply", "-f", "prod.json", "plan.json"]);
    expect(code).toBe(1);
    expect(err).toBe("Error: Saved plan is stale: it was made for stack test, not prod. Run esinfer plan again.\n");
    expect(cli.writes()).toEqual([]);
  });

  test("a saved plan without changes: shown, exit 0", async () => {
    cli.manifest([]);
    await cli.run(["plan", "-f", "m.json", "--out", "plan.json"]);
    const { code, out } = await cli.run(["apply", "-f", "m.json", "plan.json"]);
    expect(code).toBe(0);
    expect(lines(out).slice(-1)).toEqual(["No changes. The cluster matches the declarations (0 endpoints)."]);
  });

  test.each([
    ["missing", undefined, "Error: cannot read saved plan plan.json: no such file\n"],
    ["not JSON", "{oops", /^Error: cannot read saved plan plan\.json: it is not JSON \(/],
    [
      "not a plan",
      { endpoints: [] },
      "Error: plan.json is not an esinfer plan (format_version 1.0); make one with esinfer plan --out plan.json\n",
    ],
    [
      "another format version",
      { format_version: "2.0", endpoints: [], basis: {} },
      "Error: plan.json is not an esinfer plan (format_version 1.0); make one with esinfer plan --out plan.json\n",
    ],
  ])("a plan file that is %s: exit 2, nothing sent", async (_what, content, message) => {
    cli.manifest([embeddings()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]); // the stack has a state to check plans against
    cli.emu.requests.clear();
    if (content !== undefined) cli.write("plan.json", content);
    const { code, err } = await cli.run(["apply", "-f", "m.json", "plan.json"]);
    expect(code).toBe(2);
    if (typeof message === "string") expect(err).toBe(message);
    else expect(err).toMatch(message);
    expect(cli.emu.requests.list()).toEqual([]);
  });
});

describe("concurrent applies of one stack", () => {
  test("the second fails clearly at once, or waits with --lock-timeout; they never interleave", async () => {
    cli.emu.faults.latency({ ms: 300, method: "PUT" });
    cli.manifest([embeddings(), rerank()]);
    const first = cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    // once the first run holds the lock (its PUTs then take 300 ms each)
    const lock = join(cli.dir(), ".esinfer", "state", "test.json.lock");
    for (let waited = 0; !existsSync(lock) && waited < 10_000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    const second = await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    expect(second.code).toBe(1);
    expect(second.err).toMatch(
      /^Error: the stack's state \(file .*test\.json\) is locked by .* for apply since .* \(lock id [0-9a-f-]+\); wait for it to finish, or if that run crashed: esinfer force-unlock [0-9a-f-]+\n$/,
    );
    const waiting = cli.run(["apply", "-f", "m.json", "--auto-approve", "--lock-timeout", "10s"]);
    expect((await first).code).toBe(0);
    const waited = await waiting;
    expect(waited.code).toBe(0);
    expect(lines(waited.out).slice(-1)).toEqual(["No changes. The cluster matches the declarations (2 endpoints)."]);
    expect(cli.emu.requests.list({ method: "PUT" }).length).toBe(2); // each endpoint created once
  });
});

describe("destroy", () => {
  test("deletes what the stack owns, never what it does not; same confirmation rules", async () => {
    cli.manifest([embeddings(), rerank()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    createOutsideEsinfer(cli.emu);

    const refused = await cli.run(["destroy", "-f", "m.json"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("esinfer: destroy needs confirmation and stdin is not a terminal");
    const declined = await cli.run(["destroy", "-f", "m.json"], { typed: "no\n" });
    expect(declined.code).toBe(1);
    expect(declined.out).toMatch(
      /Do you want to destroy these changes\? Only 'yes' will be accepted: Destroy cancelled; nothing was changed\.\n$/,
    );
    expect(endpointIds()).toEqual(["emb", "rerank", "someone-elses"]);

    const { code, out } = await cli.run(["destroy", "-f", "m.json"], { typed: "yes\n" });
    expect(code).toBe(0);
    expect(lines(out)).toEqual(
      expect.arrayContaining([
        "  - delete emb (openai text_embedding)",
        "  - delete rerank (cohere rerank)",
        "Plan: 0 to create, 0 to update in place, 0 to replace, 2 to delete; 0 unchanged.",
        "Destroy complete: 0 created, 0 updated in place, 0 replaced, 2 deleted.",
      ]),
    );
    expect(endpointIds()).toEqual(["someone-elses"]);
    expect(JSON.parse(cli.stateFiles()[0]!).endpoints).toEqual({});

    const again = await cli.run(["destroy", "-f", "m.json", "--auto-approve"]);
    expect(again.code).toBe(0);
    expect(again.out).toContain("No changes.");
    // the declarations are intact: a plan wants to create them again
    expect((await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"])).code).toBe(2);
  });

  test("--json", async () => {
    cli.manifest([embeddings()]);
    await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
    const { code, out } = await cli.run(["destroy", "-f", "m.json", "--auto-approve", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      summary: { delete: 1 },
      failed: 0,
      outcomes: [{ inference_id: "emb", action: "delete", status: "ok" }],
    });
  });
});
