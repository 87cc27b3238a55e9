/**
 * Exit codes and flags as Terraform has them: one-dash spellings of long options, a suggestion for a near miss,
 * `--target` with Terraform's warning, and the same exit code for the same input error in every mode.
 */
import { embeddings, lines, rerank, useCli } from "./harness";

const cli = useCli();

test.each([
  [["apply", "-f", "m.json", "-auto-approve"]],
  [["apply", "-f", "m.json", "-auto-approve", "-parallelism=2"]],
  [["apply", "-f", "m.json", "-auto-approve", "-target", "emb"]],
])("Terraform's one-dash spelling is accepted: %j", async (argv) => {
  cli.manifest([embeddings()]);
  const { code } = await cli.run(argv);
  expect(code).toBe(0);
  expect((await cli.run(["plan", "-f", "m.json", "-detailed-exitcode"])).code).toBe(0);
});

test("a misspelt option gets a suggestion, one dash or two; -f and values starting with a dash are left alone", async () => {
  cli.manifest([]);
  for (const typo of ["-auto-aprove", "--auto-aprove"]) {
    const { code, err } = await cli.run(["apply", "-f", "m.json", typo]);
    expect([typo, code]).toEqual([typo, 1]);
    expect(err).toContain("error: unknown option '--auto-aprove'");
    expect(err).toContain("(Did you mean --auto-approve?)");
  }
  const stdin = await cli.run(["validate", "-"]);
  expect(stdin.err).not.toContain("unknown option");
});

describe("--target", () => {
  test("plans and applies only the endpoints named, with Terraform's warning; the rest is neither planned nor forgotten", async () => {
    cli.manifest([embeddings(), rerank()]);
    const plan = await cli.run(["plan", "-f", "m.json", "--target", "rerank", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain("+ create rerank (cohere rerank)");
    expect(plan.out).not.toContain("emb");
    expect(lines(plan.out)).toContain(
      "Warning: Targeting is in effect (--target): this plan covers only the endpoints named, so it may not show every change the declarations ask for. --target is for exceptional cases (recovering from an error or a mistake), not routine use; run a plan without it before you rely on the stack being as declared.",
    );
    expect((await cli.run(["apply", "-f", "m.json", "--auto-approve", "--target", "rerank"])).code).toBe(0);
    expect(
      cli.emu
        .endpoints()
        .map((e) => e.inference_id)
        .filter((id) => !id.startsWith(".")),
    ).toEqual(["rerank"]);
    const rest = await cli.run(["plan", "-f", "m.json", "--detailed-exitcode"]);
    expect(rest.code).toBe(2);
    expect(rest.out).toContain("+ create emb (openai text_embedding)");
    expect(rest.out).not.toContain("rerank (cohere");
  });

  test("a target the stack neither declares nor owns is said, not ignored", async () => {
    cli.manifest([embeddings()]);
    const { code, out } = await cli.run(["plan", "-f", "m.json", "--target", "nope"]);
    expect(code).toBe(0);
    expect(out).toContain("Warning: --target nope: stack test neither declares nor owns it; nothing is planned for it");
  });
});

test("the same input error exits 1 in every mode; 2 only ever means changes", async () => {
  for (const argv of [
    ["plan", "-f", "missing.json"],
    ["plan", "-f", "missing.json", "--detailed-exitcode"],
    ["plan", "-f", "missing.json", "--json"],
    ["apply", "-f", "missing.json", "--auto-approve"],
    ["destroy", "-f", "missing.json", "--auto-approve"],
    ["import", "-f", "missing.json", "x"],
    ["state", "list", "-f", "missing.json"],
  ]) {
    const { code, err } = await cli.run(argv);
    expect([argv.join(" "), code]).toEqual([argv.join(" "), 1]);
    expect(err).toMatch(/cannot read manifest .*missing\.json: no such file/);
  }
});
