/**
 * Fingerprinting the declared secrets: each reference (environment variable, file) is resolved once however many
 * endpoints share it, and every endpoint gets the same fingerprint, or the same reason it cannot be resolved.
 */
import { join } from "node:path";
import { checkSecrets, declaredEndpoints } from "../../lib/engine";
import { LiteralSecret, fingerprintSecret, validateRequest } from "../../lib/model";

const BASE = "/project";

const openai = (id: string, apiKey: unknown) => ({
  inference_id: id,
  task_type: "text_embedding",
  service: "openai",
  service_settings: { model_id: "text-embedding-3-small", api_key: apiKey },
});

const declared = (requests: Record<string, unknown>[]) =>
  declaredEndpoints({
    name: "s",
    cluster: {},
    endpoints: requests.map((r) => validateRequest(r, { literalSecrets: "accept" }).endpoint!),
    absent: [],
    state: { backend: "file" },
    baseDir: BASE,
  });

const PATH = "service_settings.api_key";

test("a reference shared by several endpoints is read once (a file once per spelling of its path)", () => {
  const reads: string[] = [];
  const source = {
    env: { KEY: "sk-from-env-0123456789" },
    baseDir: BASE,
    readFile: (path: string) => {
      reads.push(path);
      return "sk-from-file-0123456789\n";
    },
  };
  const checks = checkSecrets(
    declared([
      openai("a", { file: "keys/openai" }),
      openai("b", { file: "./keys/openai" }),
      openai("c", { file: join(BASE, "keys/openai") }),
      openai("d", { env: "KEY" }),
      openai("e", { env: "KEY" }),
      openai("f", { file: "keys/openai" }),
    ]),
    "salt",
    source,
  );
  expect(reads).toEqual([join(BASE, "keys/openai"), join(BASE, "keys/openai"), join(BASE, "keys/openai")]);
  const fromFile = fingerprintSecret("sk-from-file-0123456789", "salt");
  const fromEnv = fingerprintSecret("sk-from-env-0123456789", "salt");
  expect([...checks].map(([id, c]) => [id, c.fingerprints[PATH], c.unresolved])).toEqual([
    ["a", fromFile, {}],
    ["b", fromFile, {}],
    ["c", fromFile, {}],
    ["d", fromEnv, {}],
    ["e", fromEnv, {}],
    ["f", fromFile, {}],
  ]);
});

test("an unresolvable reference gives every endpoint the same reason, naming the reference as written", () => {
  let reads = 0;
  const source = {
    env: {},
    baseDir: BASE,
    readFile: () => {
      reads++;
      throw Object.assign(new Error("gone"), { code: "ENOENT" });
    },
  };
  const checks = checkSecrets(
    declared([
      openai("a", { env: "MISSING" }),
      openai("b", { env: "MISSING" }),
      openai("c", { file: "keys/gone" }),
      openai("d", { file: "keys/gone" }),
      openai("e", { file: "./keys/gone" }),
    ]),
    "salt",
    source,
  );
  expect(Object.fromEntries([...checks].map(([id, c]) => [id, c.unresolved[PATH]]))).toEqual({
    a: "environment variable MISSING is not set (it holds a secret this endpoint needs)",
    b: "environment variable MISSING is not set (it holds a secret this endpoint needs)",
    c: "secret file keys/gone cannot be read: no such file",
    d: "secret file keys/gone cannot be read: no such file",
    e: "secret file ./keys/gone cannot be read: no such file",
  });
  expect([...checks.values()].every((c) => Object.keys(c.fingerprints).length === 0)).toBe(true);
  expect(reads).toBe(2); // keys/gone and ./keys/gone
});

test("literal secrets are fingerprinted like references of the same value", () => {
  const checks = checkSecrets(declared([openai("a", "sk-literal-0123456789"), openai("b", { env: "KEY" })]), "salt", {
    env: { KEY: "sk-literal-0123456789" },
  });
  const fingerprint = fingerprintSecret("sk-literal-0123456789", "salt");
  expect(checks.get("a")!.fingerprints[PATH]).toBe(fingerprint);
  expect(checks.get("b")!.fingerprints[PATH]).toBe(fingerprint);
  expect(declared([openai("a", "sk-literal-0123456789")])[0]!.canonical.service_settings.api_key).toBeInstanceOf(
    LiteralSecret,
  );
});
