/**
 * Hostile and careless input through the real commands, one table: manifests, secret files, state files, lock files
 * and saved plans that are wrong in some way. Each case checks what a user would notice: the exit code, the file or
 * field named in the message, nothing changed in the cluster (no write reached the emulator; for inputs refused
 * before the cluster is read, no request at all), and the stack's state byte-identical.
 *
 * Construct props are checked where they are given, at synthesis (test/constructs/validation.test.ts), and each
 * input's finer cases at its own layer (test/model/secret-files.test.ts, test/model/text.test.ts, the state stores'
 * conformance suite, test/cli/integrity.test.ts for each kind of edit of a saved plan).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { embeddings, useCli, type Cli } from "./harness";
import { reportFigure } from "../helpers/report";

const cli = useCli();

const STATE = join(".esinfer", "state", "test.json");
const posix = process.platform !== "win32";

/** What a case does before its command, in the project directory (a stack "test" with one endpoint applied). */
type Setup = (cli: Cli) => void | Promise<void>;

interface Case {
  readonly name: string;
  readonly setup: Setup;
  /** The command (default: apply -f m.json --auto-approve). */
  readonly argv?: string[];
  readonly code: number;
  /** What the message must say: the file or field concerned, and what is wrong. */
  readonly says: RegExp;
  /** Refused before the cluster is read: not a single request. */
  readonly noRequest?: boolean;
  readonly skip?: boolean;
}

const withKey = (ref: unknown, extra: Record<string, unknown> = {}) =>
  embeddings({ service_settings: { model_id: "text-embedding-3-small", api_key: ref, dimensions: 512 }, ...extra });
const manifestWith =
  (endpoint: unknown, extra: Record<string, unknown> = {}) =>
  (c: Cli) =>
    void c.manifest([endpoint], extra);
/** The applied endpoint, and a new one whose secret apply needs (an unchanged endpoint's secret is not needed). */
const newEndpointWith = (ref: unknown) => (c: Cli) =>
  void c.manifest([embeddings(), { ...withKey(ref), inference_id: "emb-2" }]);
const raw = (name: string, bytes: Buffer | string) => (c: Cli) => writeFileSync(join(c.dir(), name), bytes);
const manifestText = (c: Cli) =>
  JSON.stringify({ stack: "test", cluster: { url: c.emu.url }, endpoints: [embeddings()] });

const CASES: Case[] = [
  // Manifests
  { name: "manifest: not JSON", setup: raw("m.json", "{ not json"), code: 1, says: /m\.json/, noRequest: true },
  {
    name: "manifest: invalid UTF-8 in a value",
    setup: (c) =>
      writeFileSync(
        join(c.dir(), "m.json"),
        Buffer.concat([Buffer.from(manifestText(c).replace("search", "sea")), Buffer.from([0xff, 0xfe])]),
      ),
    code: 1,
    says: /m\.json.*UTF-8/,
    noRequest: true,
  },
  {
    name: "manifest: a directory",
    setup: (c) => mkdirSync(join(c.dir(), "d.json")),
    argv: ["apply", "-f", "d.json", "--auto-approve"],
    code: 1,
    says: /d\.json: it is a directory, not a file/,
    noRequest: true,
  },
  {
    name: "manifest: a FIFO nobody writes to (no hang)",
    setup: (c) => void execFileSync("mkfifo", [join(c.dir(), "fifo.json")]),
    argv: ["apply", "-f", "fifo.json", "--auto-approve"],
    code: 1,
    says: /fifo\.json: .*not a (regular )?file/,
    noRequest: true,
    skip: !posix,
  },
  {
    name: "manifest: a literal secret",
    setup: manifestWith(withKey("sk-literal-in-git")),
    code: 1,
    says: /emb: service_settings\.api_key: /,
    noRequest: true,
  },
  {
    name: "manifest: an inference id with a bidi override",
    setup: manifestWith({ ...embeddings(), inference_id: "emb\u202e" }),
    code: 1,
    says: /inference_id/,
    noRequest: true,
  },
  {
    name: "manifest: an inference id with a control character",
    setup: manifestWith({ ...embeddings(), inference_id: "emb\u0007" }),
    code: 1,
    says: /inference_id/,
    noRequest: true,
  },
  {
    name: "manifest: a javascript: cluster URL",
    setup: (c) => void c.manifest([embeddings()], { cluster: { url: "javascript:alert(1)" } }),
    code: 1,
    says: /cluster\.url: must be an http:\/\/ or https:\/\/ URL/,
    noRequest: true,
  },
  {
    name: "manifest: a file: cluster URL",
    setup: (c) => void c.manifest([embeddings()], { cluster: { url: "file:///etc/passwd" } }),
    code: 1,
    says: /cluster\.url: must be an http:\/\/ or https:\/\/ URL/,
    noRequest: true,
  },
  {
    name: "manifest: an unknown top-level key",
    setup: (c) => void c.manifest([embeddings()], { endpoint: [] }),
    code: 1,
    says: /endpoint/,
    noRequest: true,
  },
  {
    name: "manifest: the same inference id twice",
    setup: (c) => void c.manifest([embeddings(), embeddings()]),
    code: 1,
    says: /emb/,
    noRequest: true,
  },
  {
    name: "manifest: a secret reference to a variable name that is not one",
    setup: manifestWith(withKey({ env: "1-NOT A NAME" })),
    code: 1,
    says: /service_settings\.api_key/,
    noRequest: true,
  },
  {
    name: "manifest: a secret reference to __proto__ (unset)",
    setup: newEndpointWith({ env: "__proto__" }),
    code: 1,
    says: /__proto__ is not set/,
  },
  {
    name: "manifest: a secret reference to constructor (unset)",
    setup: newEndpointWith({ env: "constructor" }),
    code: 1,
    says: /constructor is not set/,
  },
  {
    name: "manifest: settings keys named __proto__ and constructor",
    setup: manifestWith(
      JSON.parse(
        '{"inference_id":"emb","task_type":"text_embedding","service":"openai","service_settings":{"model_id":"m","api_key":{"env":"OPENAI_API_KEY"},"__proto__":{"x":1}},"task_settings":{"constructor":1}}',
      ),
    ),
    code: 1,
    says: /service_settings\.__proto__: .*openai text_embedding/,
    noRequest: true,
  },
  {
    name: "manifest: state path through a directory that is a file",
    setup: (c) => {
      writeFileSync(join(c.dir(), "not-a-dir"), "x");
      c.manifest([embeddings()], { state: { backend: "file", path: "not-a-dir/state.json" } });
    },
    code: 1,
    says: /not-a-dir/,
  },
  // Secret files
  ...secretFileCases(),
  // State files
  {
    name: "state: not JSON",
    setup: raw(STATE, "{ broken"),
    code: 1,
    says: /test\.json/,
  },
  {
    name: "state: invalid UTF-8",
    setup: (c) => {
      const text = readFileSync(join(c.dir(), STATE));
      writeFileSync(
        join(c.dir(), STATE),
        Buffer.concat([text.subarray(0, 20), Buffer.from([0xc3, 0x28]), text.subarray(20)]),
      );
    },
    code: 1,
    says: /test\.json.*UTF-8/,
  },
  {
    name: "state: another stack's state",
    setup: (c) => {
      const path = join(c.dir(), STATE);
      writeFileSync(path, readFileSync(path, "utf8").replace('"stack": "test"', '"stack": "other"'));
    },
    code: 1,
    says: /test\.json/,
  },
  {
    name: "state: a format from the future",
    setup: (c) => {
      const path = join(c.dir(), STATE);
      writeFileSync(path, readFileSync(path, "utf8").replace(/"format_version": \d+/, '"format_version": 99'));
    },
    code: 1,
    says: /format/,
  },
  {
    name: "state: a directory",
    setup: (c) => {
      rmSync(join(c.dir(), STATE));
      mkdirSync(join(c.dir(), STATE));
    },
    code: 1,
    says: /test\.json/,
  },
  // Lock files
  {
    name: "lock: a file that is not a lock",
    setup: raw(`${STATE}.lock`, "garbage"),
    code: 1,
    says: /lock/,
  },
  {
    name: "lock: a directory",
    setup: (c) => mkdirSync(join(c.dir(), `${STATE}.lock`)),
    code: 1,
    says: /lock/,
  },
  // Saved plans
  {
    name: "saved plan: not JSON",
    setup: raw("plan.json", "{ nope"),
    argv: ["apply", "-f", "m.json", "plan.json", "--auto-approve"],
    code: 2,
    says: /plan\.json/,
  },
  {
    name: "saved plan: a directory",
    setup: (c) => mkdirSync(join(c.dir(), "plan.json")),
    argv: ["apply", "-f", "m.json", "plan.json", "--auto-approve"],
    code: 2,
    says: /plan\.json/,
  },
  {
    name: "saved plan: edited after it was made",
    setup: async (c) => {
      c.manifest([embeddings({ task_settings: { user: "ingest" } })]);
      expect((await c.run(["plan", "-f", "m.json", "--out", "plan.json"])).code).toBe(0);
      writeFileSync(join(c.dir(), "plan.json"), c.read("plan.json").replace('"ingest"', '"evil"'));
    },
    argv: ["apply", "-f", "m.json", "plan.json", "--auto-approve"],
    code: 2,
    says: /plan\.json.*changed after it was made/,
  },
];

/** A secret file of every kind that is refused, each named in the error, never its content. */
function secretFileCases(): Case[] {
  const file = (name: string, make: (path: string) => void, says: RegExp, skip = false): Case => ({
    name: `secret file: ${name}`,
    setup: (c) => {
      make(join(c.dir(), "key"));
      newEndpointWith({ file: "key" })(c);
    },
    code: 1,
    says,
    skip,
  });
  return [
    file("missing", () => undefined, /key.*(no such file|does not exist|not found)/),
    file("a directory", (p) => mkdirSync(p), /key.*directory/),
    file(
      "a FIFO nobody writes to (no hang)",
      (p) => void execFileSync("mkfifo", [p]),
      /key.*not a regular file/,
      !posix,
    ),
    file("a device", (p) => symlinkSync("/dev/zero", p), /key.*not a regular file/, !posix),
    file("larger than 64 KB", (p) => writeFileSync(p, "k".repeat(64 * 1024 + 1)), /key.*(larger|too large|bytes)/),
    file("not UTF-8", (p) => writeFileSync(p, Buffer.from("sk-caf\xe9", "latin1")), /key.*UTF-8/),
    file("empty", (p) => writeFileSync(p, ""), /key.*empty/),
  ];
}

const counts = { tried: 0, refused: 0 };

afterAll(() => {
  reportFigure(`hostile inputs: ${counts.refused} of ${counts.tried} refused as expected`);
});

describe.each(CASES.filter((c) => !c.skip).map((c) => [c.name, c] as const))("%s", (_name, c) => {
  test(`exit ${c.code}, the input named, nothing sent, the state byte-identical`, async () => {
    counts.tried++;
    cli.manifest([embeddings()]);
    expect((await cli.run(["apply", "-f", "m.json", "--auto-approve"])).code).toBe(0);
    await c.setup(cli);
    const stateBefore = readStateBytes(cli);
    cli.emu.requests.clear();
    const { code, out, err } = await cli.run(c.argv ?? ["apply", "-f", "m.json", "--auto-approve"]);
    expect([code, err]).toEqual([c.code, expect.stringMatching(c.says)]);
    expect(out + err).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // a message, never a stack trace
    expect(cli.writes()).toEqual([]);
    if (c.noRequest) expect(cli.emu.requests.list()).toEqual([]);
    expect(readStateBytes(cli)).toEqual(stateBefore);
    counts.refused++;
  });
});

test("the controls: a symlink to a regular secret file, and a manifest starting with a BOM, are accepted", async () => {
  writeFileSync(join(cli.dir(), "real-key"), "sk-from-a-file\n");
  symlinkSync(join(cli.dir(), "real-key"), join(cli.dir(), "key"));
  cli.manifest([withKey({ file: "key" })]);
  writeFileSync(join(cli.dir(), "m.json"), `\ufeff${cli.read("m.json")}`);
  const { code, err } = await cli.run(["apply", "-f", "m.json", "--auto-approve"]);
  expect([code, err]).toEqual([0, ""]);
  expect(cli.emu.endpoints().map((e) => e.inference_id)).toEqual(["emb"]);
});

function readStateBytes(c: Cli): string | undefined {
  try {
    return readFileSync(join(c.dir(), STATE)).toString("base64");
  } catch {
    return undefined;
  }
}
