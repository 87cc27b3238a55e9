/**
 * Names are data: inference ids, settings keys, environment variable names and state entries named after members
 * of JavaScript objects (`__proto__`, `constructor`, `toString`, `hasOwnProperty`, `valueOf`) behave exactly like
 * any other unknown name, through every command path. Each scenario runs twice, with the name and with a control
 * name of the same shape; the outputs must be the same once the control is written as the name.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { embeddings, useCli, type Run } from "./harness";

const cli = useCli();

/** Each name, and a control of the same shape (case, underscores) that no object has as a member. */
const NAMES: readonly [string, string][] = [
  ["__proto__", "__prota__"],
  ["constructor", "constrictor"],
  ["toString", "toStrung"],
  ["hasOwnProperty", "hasOwnPropertx"],
  ["valueOf", "valueOx"],
];

type Scenario = (name: string) => Promise<Run[]>;

/** Runs `scenario` from a clean cluster and project for `name`, then for `control`, and compares. */
async function sameAsControl(name: string, control: string, scenario: Scenario): Promise<void> {
  const runFresh = async (n: string) => {
    cli.emu.reset();
    rmSync(join(cli.dir(), ".esinfer"), { recursive: true, force: true });
    const runs = await scenario(n);
    const endpoints = cli.emu.endpoints().map((e) => e.inference_id);
    return JSON.stringify({ runs: runs.map((r) => ({ code: r.code, out: mask(r.out), err: mask(r.err) })), endpoints });
  };
  // Durations, times and digests differ between runs, and a suggestion is derived from the name's letters; what
  // the user reads must not differ otherwise.
  const mask = (text: string) =>
    text
      .replace(/\(\d+ ms\)|in \d+ ms|\d+\.\d+ s/g, "(T)")
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "(time)")
      .replace(/sha256:[0-9a-f]+/g, "sha256:(digest)")
      .replace(/did you mean "[^"]*"/g, "did you mean (suggestion)");
  const withName = await runFresh(name);
  const withControl = await runFresh(control);
  const asName = (text: string) => text.split(control).join(name).split(control.toLowerCase()).join(name.toLowerCase());
  expect(withName).toBe(asName(withControl));
}

const emb = (id: string, extra: Record<string, unknown> = {}) => ({ ...embeddings(extra), inference_id: id });

describe.each(NAMES)("%s (control %s)", (name, control) => {
  test("as an inference id: plan, apply, state show and rm, import", async () => {
    await sameAsControl(name, control, async (n) => {
      const id = n.toLowerCase();
      cli.manifest([emb(id)]);
      return [
        await cli.run(["plan", "-f", "m.json"]),
        await cli.run(["apply", "-f", "m.json", "--auto-approve"]),
        await cli.run(["state", "show", "-f", "m.json", id]),
        await cli.run(["state", "show", "-f", "m.json", `${id}-missing`]),
        await cli.run(["import", "-f", "m.json", `${id}-missing`]),
        await cli.run(["state", "rm", "-f", "m.json", id]),
        await cli.run(["plan", "-f", "m.json"]),
      ];
    });
  });

  test("as an inference id the id rules refuse or accept (case and underscores kept)", async () => {
    await sameAsControl(name, control, async (n) => {
      cli.manifest([emb(n)]);
      return [await cli.run(["plan", "-f", "m.json"]), await cli.run(["validate", "m.json"])];
    });
  });

  test("as an endpoint someone else created: never managed, never touched", async () => {
    await sameAsControl(name, control, async (n) => {
      const id = n.toLowerCase();
      try {
        cli.emu.createEndpoint(
          id,
          { service: "openai", service_settings: { model_id: "m", api_key: "k" } },
          "text_embedding",
        );
      } catch (e) {
        return [{ code: -1, out: "", err: (e as Error).message }]; // the server's id rules refuse it alike
      }
      cli.manifest([emb(id, { task_settings: { user: "mine" } })]);
      return [await cli.run(["plan", "-f", "m.json"]), await cli.run(["apply", "-f", "m.json", "--auto-approve"])];
    });
  });

  test("as a settings key: the same refusal as any unknown setting", async () => {
    await sameAsControl(name, control, async (n) => {
      cli.manifest([
        emb("emb", {
          task_settings: { [n]: 1 },
          service_settings: { model_id: "m", api_key: { env: "OPENAI_API_KEY" }, [n]: 2 },
        }),
      ]);
      cli.write("one.json", emb("emb", { task_settings: { [n]: 1 } }));
      return [await cli.run(["plan", "-f", "m.json"]), await cli.run(["validate", "one.json"])];
    });
  });

  test("as the environment variable of a secret reference: not set, like any other", async () => {
    await sameAsControl(name, control, async (n) => {
      cli.manifest([emb("emb", { service_settings: { model_id: "m", api_key: { env: n } } })]);
      return [await cli.run(["plan", "-f", "m.json"]), await cli.run(["apply", "-f", "m.json", "--auto-approve"])];
    });
  });
});
