/**
 * Integrity of what is applied: a saved plan edited after review is refused before anything is sent (one case per
 * kind of edit); a forced replace that Elasticsearch would not let re-create (semantic_text fields recorded other
 * model settings) is refused at plan time, deleting nothing, even with --allow-in-use; a create whose outcome was
 * lost never adopts someone else's endpoint created meanwhile.
 */
import { StackSession } from "../../lib/engine";
import { ENV, elser, embeddings, lines, rerank, useCli, useEndpoint } from "./harness";
import { makeStack } from "../helpers/stack";

const cli = useCli();

describe("saved plans are tamper-evident", () => {
  /** A stack with state, a saved plan of a change to it, and the plan file's JSON. */
  const savedPlan = async () => {
    cli.manifest([embeddings(), elser(), rerank()]);
    expect((await cli.run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0);
    cli.manifest([embeddings({ task_settings: { user: "ingest" } }), elser(), rerank()]);
    expect((await cli.run(["plan", "-f", "m.json", "--out", "plan.json"])).code).toBe(0);
    return JSON.parse(cli.read("plan.json")) as {
      endpoints: {
        inference_id: string;
        action: string;
        declared?: { service_settings: Record<string, unknown>; task_settings: Record<string, unknown> };
        secret_fingerprints?: Record<string, string>;
      }[];
      mac?: string;
    };
  };
  const find = (plan: Awaited<ReturnType<typeof savedPlan>>, id: string) =>
    plan.endpoints.find((e) => e.inference_id === id)!;

  test.each([
    [
      "a declared model_id changed",
      (p: Awaited<ReturnType<typeof savedPlan>>) => void (find(p, "emb").declared!.service_settings.model_id = "evil"),
    ],
    [
      "a task setting changed",
      (p: Awaited<ReturnType<typeof savedPlan>>) => void (find(p, "emb").declared!.task_settings.user = "evil"),
    ],
    [
      "a secret reference swapped to another variable, its fingerprints removed",
      (p: Awaited<ReturnType<typeof savedPlan>>) => {
        const e = find(p, "rerank");
        e.declared!.service_settings.api_key = { env: "ATTACKER_KEY" };
        delete e.secret_fingerprints;
      },
    ],
    [
      "a no-op turned into a delete",
      (p: Awaited<ReturnType<typeof savedPlan>>) => void (find(p, "elser").action = "delete"),
    ],
    ["its MAC removed", (p: Awaited<ReturnType<typeof savedPlan>>) => void delete p.mac],
    [
      "its MAC replaced by another",
      (p: Awaited<ReturnType<typeof savedPlan>>) => void (p.mac = `hmac-sha256:${"0".repeat(64)}`),
    ],
  ])("%s: exit 2, nothing sent, the state untouched", async (_what, edit) => {
    const plan = await savedPlan();
    edit(plan);
    cli.write("plan.json", plan);
    const state = cli.stateFiles();
    cli.emu.requests.clear();
    const { code, out, err } = await cli.run(["apply", "-f", "m.json", "plan.json"], {
      env: { ATTACKER_KEY: "sk-attacker" },
    });
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatch(/^Error: plan\.json (was changed after it was made|carries no MAC)/);
    expect(cli.emu.requests.list()).toEqual([]);
    expect(cli.stateFiles()).toEqual(state);
    expect(cli.emu.endpoints().find((e) => e.inference_id === "emb")!.task_settings).toEqual({ user: "search" });
  });

  test("the untouched file applies", async () => {
    await savedPlan();
    const { code } = await cli.run(["apply", "-f", "m.json", "plan.json"]);
    expect(code).toBe(0);
    expect(cli.emu.endpoints().find((e) => e.inference_id === "emb")!.task_settings).toEqual({ user: "ingest" });
  });
});

describe("a forced replace never loses the endpoint", () => {
  /** emb applied with 512 dimensions, used by a pipeline and a semantic_text field with a document indexed. */
  const inUseWithDocument = async () => {
    cli.manifest([embeddings()]);
    expect((await cli.run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0);
    await useEndpoint(cli.emu, "emb");
    const indexed = await fetch(`${cli.emu.url}/docs/_doc/1?refresh=true`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ body: "the quick brown fox" }),
    });
    expect(indexed.status).toBeLessThan(300);
  };

  test("a replace the semantic_text field's recorded settings would refuse: refused at plan time, with or without --allow-in-use", async () => {
    await inUseWithDocument();
    cli.manifest([
      embeddings({
        service_settings: { model_id: "text-embedding-3-small", api_key: { env: "OPENAI_API_KEY" }, dimensions: 256 },
      }),
    ]);
    for (const command of [["plan"], ["apply", "--auto-approve", "--allow-in-use"]]) {
      cli.emu.requests.clear();
      const { code, err } = await cli.run([...command, "-f", "m.json"]);
      expect([command.join(" "), code]).toEqual([command.join(" "), 1]);
      expect(lines(err)).toEqual([
        "Error: the plan cannot be made",
        "  ✗ emb: cannot be replaced: it would be deleted, and Elasticsearch would not accept it re-created under the same id, because semantic_text fields that use it recorded other model settings: index docs field body: dimensions 512 recorded, the new endpoint would have 256. Nothing is deleted (with or without --allow-in-use). Keep the settings those fields need, or declare the endpoint under a new inference_id and reindex into fields that use it",
      ]);
      expect(cli.writes()).toEqual([]);
    }
    expect(cli.emu.endpoints().map((e) => e.inference_id)).toContain("emb");
  });

  test("a replace the recorded settings accept (same dimensions) goes ahead with --allow-in-use", async () => {
    await inUseWithDocument();
    // A removed task setting forces a replace; the model, and so the dimensions, stay.
    cli.manifest([embeddings({ task_settings: {} })]);
    const { code } = await cli.run(["apply", "-f", "m.json", "--auto-approve", "--allow-in-use"]);
    expect(code).toBe(0);
    expect(cli.emu.endpoints().find((e) => e.inference_id === "emb")!.task_settings ?? {}).toEqual({});
  });
});

test("a create whose outcome was lost, and someone else's endpoint under the id meanwhile: not adopted, not touched later", async () => {
  const stack = makeStack(cli.emu.url, [embeddings()], { baseDir: cli.dir() });
  const session = new StackSession(stack, {
    env: ENV,
    onNote: () => undefined,
    client: { maxRetries: 2, retryBaseDelayMs: 1 },
  });
  const { result } = await session.apply({
    // After the plan, before any request of the apply: someone creates the id, and the create's answer is lost.
    confirm: async () => {
      cli.emu.createEndpoint(
        "emb",
        { service: "openai", service_settings: { model_id: "someone-elses-model", api_key: "their-key" } },
        "text_embedding",
      );
      cli.emu.faults.error({ method: "PUT", path: "/_inference/text_embedding/emb", status: 503, count: 1 });
      return true;
    },
  });
  await session.close();
  expect(result!.outcomes).toEqual([
    expect.objectContaining({ inference_id: "emb", action: "create", status: "failed" }),
  ]);
  expect(result!.outcomes[0]!.error).toContain("someone else created it. esinfer records no ownership of it");
  expect(cli.emu.endpoints().find((e) => e.inference_id === "emb")!.service_settings.model_id).toBe(
    "someone-elses-model",
  );
  // Later runs change nothing until a person decides: the plan says why; apply and destroy leave it alone.
  const plan = await cli.run(["plan", "-f", cli.manifest([embeddings()])]);
  expect(plan.code).toBe(1);
  expect(plan.err).toContain(
    "emb: inference_id: already exists in the cluster (openai text_embedding) and is not managed by stack test",
  );
  cli.manifest([]);
  expect((await cli.run(["destroy", "-f", "m.json", "--auto-approve"])).code).toBe(0);
  expect(cli.emu.endpoints().find((e) => e.inference_id === "emb")!.service_settings.model_id).toBe(
    "someone-elses-model",
  );
});
