/**
 * The other commands and cross-cutting promises: `esinfer test`, `esinfer force-unlock` on a stale lock (file and
 * cluster state), `--verbose` with secrets redacted, and a canary secret that no command prints or saves.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { CANARIES, CANARY, elser, embeddings, lines, rerank, useCli, createOutsideEsinfer } from "./harness";

/** The cluster's own credential is a canary too. */
const CLUSTER_KEY = "es-CANARY-cluster-key-31c9";
const cli = useCli({ apiKey: CLUSTER_KEY });
const CLUSTER_ENV = { ES_API_KEY: CLUSTER_KEY };

/** A manifest of the emulator's cluster with its API key as a reference. */
const manifest = (endpoints: unknown[], extra: Record<string, unknown> = {}, name = "m.json") =>
  cli.manifest(endpoints, { cluster: { url: cli.emu.url, api_key: { env: "ES_API_KEY" } }, ...extra }, name);
const run = (argv: string[], env: Record<string, string | undefined> = {}) =>
  cli.run(argv, { env: { ...CLUSTER_ENV, ...env } });

/** Writes a lock record as a crashed run would have left it. */
const lockRecord = (host: string, pid: number) => ({
  id: "3f1c0a52-dead-4bad-8c0d-0123456789ab",
  operation: "apply",
  who: `ci@${host} pid ${pid}`,
  created_at: "2026-01-01T00:00:00.000Z",
  host,
  pid,
});

describe("esinfer test", () => {
  test("one inference per task type, with what was checked; --input is what is sent", async () => {
    manifest([embeddings(), rerank(), elser()]);
    await run(["apply", "-f", "m.json", "--auto-approve"]);
    expect(await run(["test", "emb", "-f", "m.json"])).toEqual({
      code: 0,
      out: "✓ emb (openai text_embedding): 1 embedding(s) of 512 dimensions\n",
      err: "",
    });
    expect((await run(["test", "rerank", "-f", "m.json"])).out).toBe("✓ rerank (cohere rerank): 2 documents ranked\n");
    // The emulator's sparse vectors have one token per distinct word of the input.
    expect((await run(["test", "elser", "-f", "m.json"])).out).toBe(
      "✓ elser (elasticsearch sparse_embedding): 1 sparse embedding(s), 6 tokens in the first\n",
    );
    expect((await run(["test", "elser", "-f", "m.json", "--input", "just three words"])).out).toBe(
      "✓ elser (elasticsearch sparse_embedding): 1 sparse embedding(s), 3 tokens in the first\n",
    );
  });

  test("without a manifest, the cluster comes from ELASTICSEARCH_URL and ELASTICSEARCH_API_KEY", async () => {
    createOutsideEsinfer(cli.emu, "by-hand");
    const ok = await run(["test", "by-hand"], { ELASTICSEARCH_URL: cli.emu.url, ELASTICSEARCH_API_KEY: CLUSTER_KEY });
    expect(ok.code).toBe(0);
    const none = await run(["test", "by-hand"]);
    expect(none).toEqual({
      code: 1,
      out: "",
      err: "esinfer: no cluster configured: pass -f manifest.json or set ELASTICSEARCH_URL\n",
    });
  });

  test("an inference that fails, and an endpoint that does not exist: exit 1 with why", async () => {
    manifest([embeddings()]);
    await run(["apply", "-f", "m.json", "--auto-approve"]);
    cli.emu.faults.error({
      method: "POST",
      path: "/_inference/text_embedding/emb",
      status: 401,
      type: "status_exception",
      reason: "provider rejected the API key",
    });
    const failed = await run(["test", "emb", "-f", "m.json"]);
    expect(failed.code).toBe(1);
    expect(failed.out).toBe("");
    expect(failed.err).toBe(
      "✗ emb (openai text_embedding): inference failed: provider rejected the API key (POST /_inference/text_embedding/emb: 401 status_exception)\n",
    );
    const missing = await run(["test", "nope", "-f", "m.json"]);
    expect(missing).toEqual({ code: 1, out: "", err: "esinfer: no inference endpoint nope in the cluster\n" });
  });

  test("a manifest that cannot be read, is invalid, or names no cluster: a message, never a stack trace", async () => {
    cli.write("broken.json", "{");
    cli.write("invalid.json", { stack: "test" });
    cli.write("nowhere.json", { stack: "test", endpoints: [] });
    expect(await run(["test", "emb", "-f", "missing.json"])).toEqual({
      code: 1,
      out: "",
      err: `esinfer: cannot read manifest ${join(cli.dir(), "missing.json")}: no such file\n`,
    });
    expect((await run(["test", "emb", "-f", "broken.json"])).code).toBe(1);
    expect(await run(["test", "emb", "-f", "invalid.json"])).toEqual({
      code: 1,
      out: "",
      err: `Error: Invalid manifest ${join(cli.dir(), "invalid.json")}: 1 problem\n  ✗ manifest: endpoints: is required (an array, possibly empty)\n`,
    });
    expect(await run(["test", "emb", "-f", "nowhere.json"])).toEqual({
      code: 1,
      out: "",
      err: "esinfer: cannot connect to the cluster of stack test: no cluster configured: set cluster.url (or urls, cloud_id) in the stack, or ELASTICSEARCH_URL / ELASTICSEARCH_ENDPOINTS in the environment\n",
    });
    expect(cli.emu.requests.list()).toEqual([]);
  });

  test("a cluster credential that is wrong: exit 1 and the server's answer", async () => {
    manifest([]);
    const { code, err } = await run(["test", "emb", "-f", "m.json"], { ES_API_KEY: "es-wrong-key-0000" });
    expect(code).toBe(1);
    expect(err).toMatch(
      /^Error: http:\/\/127\.0\.0\.1:\d+ \(from cluster\.url of stack test\) refused the credentials from the environment variable ES_API_KEY \(cluster\.api_key of stack test\): .*\(GET \/_inference\/emb: 401 security_exception\)\n$/,
    );
  });
});

describe("esinfer force-unlock", () => {
  test("a lock left by a crashed run elsewhere: apply says how to remove it; only its id removes it", async () => {
    manifest([embeddings()]);
    const record = lockRecord("ci-runner-7", 4242);
    mkdirSync(join(cli.dir(), ".esinfer", "state"), { recursive: true });
    writeFileSync(join(cli.dir(), ".esinfer", "state", "test.json.lock"), JSON.stringify(record));

    const blocked = await run(["apply", "-f", "m.json", "--auto-approve"]);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toBe(
      `Error: the stack's state (file ${join(cli.dir(), ".esinfer", "state", "test.json")}) is locked by ci@ci-runner-7 pid 4242 for apply since 2026-01-01T00:00:00.000Z (lock id ${record.id}); wait for it to finish, or if that run crashed: esinfer force-unlock ${record.id}\n`,
    );
    expect(cli.emu.endpoints()).toEqual([]);

    const wrong = await run(["force-unlock", "not-the-id", "-f", "m.json"]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(
      /^Error: the lock on the stack's state .* has id 3f1c0a52-.* not not-the-id; nothing was removed\n$/,
    );
    expect((await run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(1); // still locked

    const unlocked = await run(["force-unlock", record.id, "-f", "m.json"]);
    expect(unlocked).toEqual({
      code: 0,
      out: `Unlocked the state of stack test (file ${join(cli.dir(), ".esinfer", "state", "test.json")}).\n`,
      err: "",
    });
    expect((await run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0);
    const again = await run(["force-unlock", record.id, "-f", "m.json"]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/is not locked; nothing to unlock\n$/);
  });

  test("a lock of a process of this host that no longer runs is taken over, with a note", async () => {
    manifest([embeddings()]);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!; // exited: its pid names no process now
    mkdirSync(join(cli.dir(), ".esinfer", "state"), { recursive: true });
    writeFileSync(join(cli.dir(), ".esinfer", "state", "test.json.lock"), JSON.stringify(lockRecord(hostname(), dead)));
    const { code, err } = await run(["apply", "-f", "m.json", "--auto-approve"]);
    expect(code).toBe(0);
    expect(err).toMatch(
      new RegExp(
        `^Note: took over the lock on the stack's state .* held by ci@.* pid ${dead} .*: process ${dead} no longer runs on this host \\(a crashed run\\)\\n$`,
      ),
    );
  });

  test("state in the cluster: the same commands, the lock a document", async () => {
    manifest([embeddings()], { state: { backend: "cluster" } });
    expect((await run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0);
    expect(cli.stateFiles()).toEqual([]);
    expect((await run(["plan", "-f", "m.json", "--detailed-exitcode"])).code).toBe(0);

    const record = lockRecord("ci-runner-7", 4242);
    const put = await fetch(`${cli.emu.url}/esinfer-state/_doc/lock:test?refresh=true`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `ApiKey ${CLUSTER_KEY}` },
      body: JSON.stringify(record),
    });
    expect(put.ok).toBe(true);
    const blocked = await run(["destroy", "-f", "m.json", "--auto-approve"]);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toContain(
      `is locked by ci@ci-runner-7 pid 4242 for apply since 2026-01-01T00:00:00.000Z (lock id ${record.id})`,
    );
    expect((await run(["force-unlock", record.id, "-f", "m.json"])).out).toBe(
      "Unlocked the state of stack test (cluster index esinfer-state (document state:test)).\n",
    );
    expect((await run(["destroy", "-f", "m.json", "--auto-approve"])).code).toBe(0);
    expect(cli.emu.endpoints()).toEqual([]);
  });
});

describe("--verbose", () => {
  test("logs every request and response to stderr, secrets and credentials redacted", async () => {
    manifest([embeddings(), rerank()]);
    const { code, out, err } = await run([
      "apply",
      "-f",
      "m.json",
      "--auto-approve",
      "--verbose",
      "--parallelism",
      "1",
    ]);
    expect(code).toBe(0);
    expect(out).not.toContain("> GET"); // stdout keeps the plan and progress
    const log = lines(err);
    expect(log).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^> GET \/ \(attempt 1, http:\/\/127\.0\.0\.1:\d+\)$/),
        expect.stringMatching(/^< 200 GET \/_inference\/_all \d+ ms \(attempt 1\)$/),
        expect.stringMatching(
          /^> PUT \/_inference\/text_embedding\/emb \(attempt 1, .*\) \{"service":"openai","service_settings":\{"api_key":"\(sensitive\)","dimensions":512,/,
        ),
        expect.stringMatching(/^> PUT \/_inference\/rerank\/rerank .*"api_key":"\(sensitive\)"/),
      ]),
    );
    expect(err).not.toMatch(/authorization|ApiKey /i);
    const quiet = await run(["plan", "-f", "m.json"]);
    expect(quiet.err).toBe("");
  });

  test("an error body quoting the secret back is redacted too", async () => {
    manifest([embeddings()]);
    cli.emu.faults.error({
      method: "PUT",
      path: "/_inference/text_embedding/emb",
      status: 400,
      reason: `Incorrect API key provided: ${CANARY}`,
      count: 1,
    });
    const { code, out, err } = await run(["apply", "-f", "m.json", "--auto-approve", "--verbose"]);
    expect(code).toBe(1);
    expect(out + err).toContain("Incorrect API key provided: (sensitive)");
    // (the harness fails any command that prints a canary)
  });
});

describe("the canary secrets", () => {
  test("appear in no output of any command, no saved plan and no state file", async () => {
    const rotated = { OPENAI_API_KEY: "sk-CANARY-cli-rotated-aa01" };
    const outputs: string[] = [];
    const step = async (argv: string[], env: Record<string, string | undefined> = {}) => {
      const r = await run(argv, env);
      outputs.push(r.out, r.err);
      return r;
    };
    manifest([embeddings(), rerank()]);
    const codes = [
      await step(["plan", "-f", "m.json", "--verbose"]),
      await step(["plan", "-f", "m.json", "--json", "--out", "plan.json"]),
      await step(["plan", "-f", "m.json", "--format", "markdown"]),
      await step(["apply", "-f", "m.json", "--auto-approve", "--verbose", "--verify"]),
      await step(["plan", "-f", "m.json", "--out", "rotation.json"], rotated),
      await step(["apply", "-f", "m.json", "rotation.json", "--verbose"], rotated),
      await step(["apply", "-f", "m.json", "--auto-approve", "--json"], rotated),
      await step(["test", "emb", "-f", "m.json"]),
      (cli.emu.createEndpoint(
        "legacy",
        { service: "openai", service_settings: { model_id: "m", api_key: CANARY } },
        "text_embedding",
      ),
      await step(["import", "-f", "m.json", "legacy", "--verbose"])),
      await step(["destroy", "-f", "m.json", "--auto-approve", "--verbose"], rotated),
      await step(["apply", "-f", "m.json", "--verbose"], rotated), // refused: no terminal
    ].map((r) => r.code);
    expect(codes).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(outputs.join("")).toContain("(sensitive)"); // the secrets were there to leak

    const files = [cli.read("plan.json"), cli.read("rotation.json"), ...cli.stateFiles()];
    expect(files.join("")).toContain("hmac-sha256:"); // fingerprints, not values
    for (const secret of [...CANARIES, CLUSTER_KEY, rotated.OPENAI_API_KEY])
      for (const text of [...outputs, ...files]) expect(text).not.toContain(secret);
  });
});
