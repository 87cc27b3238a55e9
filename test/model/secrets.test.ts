import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { tempDir } from "../helpers/temp";
import {
  LiteralSecret,
  SecretResolutionError,
  describeSecret,
  fingerprintSecret,
  newFingerprintSalt,
  resolveSecret,
  secret,
  validateRequest,
} from "../../lib/model";

const CANARY = "sk-CANARY-7f3a";

test("references have one JSON encoding", () => {
  expect(JSON.stringify(secret.env("OPENAI_API_KEY"))).toBe('{"env":"OPENAI_API_KEY"}');
  expect(JSON.stringify(secret.file("./key.txt"))).toBe('{"file":"./key.txt"}');
  expect(() => secret.env("not a name")).toThrow(/not an environment variable name/);
  expect(() => secret.file("")).toThrow(/non-empty/);
});

test("env references resolve only from the environment given, with errors that name the variable", () => {
  expect(resolveSecret(secret.env("K"), { env: { K: CANARY } })).toBe(CANARY);
  const error = (() => {
    try {
      resolveSecret(secret.env("MISSING_KEY"), { env: {} });
    } catch (e) {
      return e as Error;
    }
  })();
  expect(error).toBeInstanceOf(SecretResolutionError);
  expect(error!.message).toBe("environment variable MISSING_KEY is not set (it holds a secret this endpoint needs)");
});

test("file references resolve relative to a base directory, without the trailing newline", () => {
  const dir = tempDir("esinfer-secret-");
  writeFileSync(join(dir, "key.txt"), `${CANARY}\n`);
  writeFileSync(join(dir, "empty.txt"), "\n");
  expect(resolveSecret(secret.file("key.txt"), { baseDir: dir })).toBe(CANARY);
  expect(() => resolveSecret(secret.file("nope.txt"), { baseDir: dir })).toThrow(
    "secret file nope.txt cannot be read: no such file",
  );
  expect(() => resolveSecret(secret.file("empty.txt"), { baseDir: dir })).toThrow("secret file empty.txt is empty");
});

test("literal secrets never print: JSON, string, inspect", () => {
  const literal = new LiteralSecret(CANARY);
  expect(JSON.stringify({ api_key: literal })).toBe('{"api_key":"(sensitive)"}');
  expect(`${literal}`).toBe("(sensitive)");
  expect(inspect({ literal })).not.toContain(CANARY);
  expect(describeSecret(literal)).toBe("a literal value");
  expect(resolveSecret(literal)).toBe(CANARY);
});

test("accepted literals come out of validation wrapped", () => {
  const { endpoint } = validateRequest(
    {
      inference_id: "x",
      task_type: "completion",
      service: "openai",
      service_settings: { model_id: "m", api_key: CANARY },
    },
    { literalSecrets: "accept" },
  );
  expect(endpoint!.service_settings.api_key).toBeInstanceOf(LiteralSecret);
  expect(JSON.stringify(endpoint)).not.toContain(CANARY);
});

test("fingerprints detect rotation, depend on the salt and reveal nothing", () => {
  const salt = newFingerprintSalt();
  const a = fingerprintSecret(CANARY, salt);
  expect(a).toMatch(/^hmac-sha256:[0-9a-f]{32}$/);
  expect(fingerprintSecret(CANARY, salt)).toBe(a);
  expect(fingerprintSecret(`${CANARY}-rotated`, salt)).not.toBe(a);
  expect(fingerprintSecret(CANARY, newFingerprintSalt())).not.toBe(a);
  expect(a).not.toContain(CANARY);
});
