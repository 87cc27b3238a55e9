/**
 * Several stacks on one cluster: an endpoint has one owner. Another stack declaring it sees a conflict naming the
 * owner and changes nothing; importing it is refused unless its ownership is moved explicitly (`--from-stack`),
 * which the old owner's next plan reflects; `import --all` adopts only what no stack owns; an import never leads to
 * a delete; `state rm` forgets without deleting. With each state backend.
 */
import { embeddings, lines, rerank, useCli } from "./harness";

const cli = useCli();

const emb = (id: string, extra: Record<string, unknown> = {}) => ({ ...embeddings(extra), inference_id: id });

describe.each([
  ["file", {}],
  ["cluster", { state: { backend: "cluster" } }],
])("stacks with state in a %s", (_backend, extra) => {
  /** Writes stack `name`'s manifest (`<name>.json`) with these endpoints. */
  const stack = (name: string, endpoints: unknown[]) =>
    cli.write(`${name}.json`, { stack: name, cluster: { url: cli.emu.url }, endpoints, ...extra });
  const run = (argv: string[]) => cli.run(argv);

  beforeEach(async () => {
    stack("team-a", [emb("shared"), emb("a-only")]);
    expect((await run(["apply", "-f", "team-a.json", "--auto-approve"])).code).toBe(0);
  });

  test("another stack declaring an owned endpoint: a conflict naming the owner, exit 1, nothing changed", async () => {
    stack("team-b", [emb("shared", { task_settings: { user: "team-b" } }), emb("b-only")]);
    for (const command of [["plan"], ["apply", "--auto-approve"]]) {
      cli.emu.requests.clear();
      const { code, out, err } = await run([...command, "-f", "team-b.json"]);
      expect([command[0], code]).toEqual([command[0], 1]);
      expect(out).toBe("");
      expect(lines(err)).toEqual([
        "Error: the plan cannot be made",
        "  ✗ shared: inference_id: is owned by stack team-a: an endpoint has one owner, and stack team-b changes nothing of it. Remove it from this stack, or move its ownership here with `esinfer import shared --from-stack team-a` (stack team-a's next plan then forgets it)",
      ]);
      // Nothing but the stack's own lock (a document, with state in the cluster).
      expect(cli.writes().filter((w) => !w.includes("/_doc/lock%3Ateam-b"))).toEqual([]);
    }
    expect(cli.emu.endpoints().find((e) => e.inference_id === "shared")!.task_settings).toEqual({ user: "search" });
  });

  test("importing another stack's endpoint is refused, naming the owner; --from-stack moves it, and the old owner forgets it", async () => {
    stack("team-b", [emb("shared")]);
    const refused = await run(["import", "-f", "team-b.json", "shared"]);
    expect(refused.code).toBe(1);
    expect(lines(refused.err)).toEqual([
      "Error: Nothing was imported: 1 problem",
      "  ✗ shared: is owned by stack team-a: an endpoint has one owner. To move it to stack team-b, run `esinfer import shared --from-stack team-a` (stack team-a's next plan then forgets it)",
    ]);

    const wrongFrom = await run(["import", "-f", "team-b.json", "a-only", "--from-stack", "team-c"]);
    expect(wrongFrom.code).toBe(1);
    expect(wrongFrom.err).toContain("a-only: is owned by stack team-a");

    const moved = await run(["import", "-f", "team-b.json", "shared", "--from-stack", "team-a"]);
    expect(moved.code).toBe(0);
    expect(moved.err).toContain(
      "Imported 1 endpoint into stack team-b: shared (ownership moved from stack team-a: shared)",
    );
    expect((await run(["plan", "-f", "team-b.json", "--detailed-exitcode"])).code).toBe(0);

    // The old owner still declares it: now a conflict there; once its declaration goes, it forgets it, deleting nothing.
    const stillDeclared = await run(["plan", "-f", "team-a.json"]);
    expect(stillDeclared.code).toBe(1);
    expect(stillDeclared.err).toContain("shared: inference_id: is owned by stack team-b");
    stack("team-a", [emb("a-only")]);
    const forgets = await run(["apply", "-f", "team-a.json", "--auto-approve"]);
    expect(forgets.code).toBe(0);
    expect(forgets.out).toContain(
      "Warning: shared: now owned by stack team-b (its ownership was moved there); this stack forgets it and deletes nothing",
    );
    expect(cli.emu.endpoints().map((e) => e.inference_id)).toContain("shared");
    const state = JSON.parse((await run(["state", "list", "-f", "team-a.json", "--json"])).out);
    expect(state.endpoints.map((e: { inference_id: string }) => e.inference_id)).toEqual(["a-only"]);
    // And team-b manages it from now on.
    stack("team-b", [emb("shared", { task_settings: { user: "team-b" } })]);
    expect((await run(["apply", "-f", "team-b.json", "--auto-approve"])).code).toBe(0);
    expect(cli.emu.endpoints().find((e) => e.inference_id === "shared")!.task_settings).toEqual({ user: "team-b" });
  });

  test("import --all adopts only what no stack owns, and the next plan deletes none of it", async () => {
    cli.emu.createEndpoint(
      "made-by-hand",
      { service: "openai", service_settings: { model_id: "text-embedding-3-small", api_key: "sk-x" } },
      "text_embedding",
    );
    stack("team-b", []);
    const all = await run(["import", "-f", "team-b.json", "--all"]);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.out).map((d: { inference_id: string }) => d.inference_id)).toEqual(["made-by-hand"]);
    const plan = await run(["plan", "-f", "team-b.json", "--detailed-exitcode"]);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain("made-by-hand: imported but not declared yet: it is kept, never deleted");
    expect((await run(["apply", "-f", "team-b.json", "--auto-approve"])).code).toBe(0);
    expect(cli.emu.endpoints().map((e) => e.inference_id)).toEqual(
      expect.arrayContaining(["a-only", "made-by-hand", "shared"]),
    );
    // team-a's own plan is untouched by all this.
    expect((await run(["plan", "-f", "team-a.json", "--detailed-exitcode"])).code).toBe(0);
  });

  test("state rm: the endpoint stays, owned by no stack; another stack may then import it", async () => {
    const rm = await run(["state", "rm", "-f", "team-a.json", "a-only"]);
    expect(rm.code).toBe(0);
    stack("team-a", [emb("shared")]);
    const plan = await run(["plan", "-f", "team-a.json", "--detailed-exitcode"]);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain("not managed by this stack and left alone: a-only");
    stack("team-b", [emb("a-only")]);
    expect((await run(["import", "-f", "team-b.json", "a-only"])).code).toBe(0);
    expect((await run(["plan", "-f", "team-b.json", "--detailed-exitcode"])).code).toBe(0);
    // Forgetting what the stack does not own is refused, naming who does.
    const notOurs = await run(["state", "rm", "-f", "team-a.json", "a-only"]);
    expect(notOurs.code).toBe(1);
    expect(notOurs.err).toContain("a-only: is not owned by stack team-a (stack team-b owns it): nothing to forget");
  });

  test("a tombstone never deletes another stack's endpoint", async () => {
    cli.write("team-b.json", {
      stack: "team-b",
      cluster: { url: cli.emu.url },
      endpoints: [rerank()],
      absent: ["a-only"],
      ...extra,
    });
    const { code, err } = await run(["apply", "-f", "team-b.json", "--auto-approve"]);
    expect(code).toBe(1);
    expect(err).toContain("a-only: absent: is declared absent, but stack team-a owns it: only its owner deletes it");
    expect(cli.emu.endpoints().map((e) => e.inference_id)).toContain("a-only");
  });

  test("state list and show: what the stack owns, its last applied declaration, its secrets' status", async () => {
    const list = await run(["state", "list", "-f", "team-a.json"]);
    expect(list.code).toBe(0);
    expect(lines(list.out)[0]).toMatch(/^inference_id +service \/ task type +status +last applied +secrets +updated$/);
    expect(list.out).toMatch(/a-only +openai text_embedding +applied +sha256:[0-9a-f]{12} +1 fingerprinted/);
    expect(lines(list.out).slice(-1)[0]).toMatch(/^2 endpoints owned by stack team-a \(state serial \d+\)\.$/);
    const show = await run(["state", "show", "-f", "team-a.json", "shared"]);
    expect(show.code).toBe(0);
    expect(show.out).toContain('"api_key": {\n      "env": "OPENAI_API_KEY"\n    }');
    expect(show.out).toContain("secrets: 1 fingerprinted (service_settings.api_key)");
    const missing = await run(["state", "show", "-f", "team-a.json", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toBe("esinfer: nope is not owned by stack team-a (esinfer state list shows what it owns)\n");
  });
});
