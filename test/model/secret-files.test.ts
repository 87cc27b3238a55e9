/**
 * Secret files are refused before any request unless they are small regular UTF-8 files: every kind of
 * non-regular file, an oversized file and a non-UTF-8 file, each with an error naming the reference (never the
 * content). A FIFO nobody writes to must not hang the run.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { MAX_SECRET_FILE_BYTES, SecretResolutionError, resolveSecret, secret } from "../../lib/model";
import { tempDir } from "../helpers/temp";

const CANARY = "sk-CANARY-file-5d1e";
const posix = process.platform !== "win32";

let dir: string;
let socketServer: Server | undefined;

beforeAll(async () => {
  dir = tempDir("esinfer-secret-files-");
  writeFileSync(join(dir, "key.txt"), `${CANARY}\n`);
  writeFileSync(join(dir, "crlf.txt"), `${CANARY}\r\n`);
  symlinkSync(join(dir, "key.txt"), join(dir, "link.txt"));
  mkdirSync(join(dir, "a-directory"));
  writeFileSync(join(dir, "limit.txt"), "k".repeat(MAX_SECRET_FILE_BYTES));
  writeFileSync(join(dir, "too-big.txt"), "k".repeat(MAX_SECRET_FILE_BYTES + 1));
  // "sk-café" in Latin-1: 0xE9 alone is not UTF-8.
  writeFileSync(join(dir, "latin1.txt"), Buffer.from(`${CANARY}-caf\xe9`, "latin1"));
  if (posix) {
    execFileSync("mkfifo", [join(dir, "fifo")]);
    socketServer = createServer();
    await new Promise<void>((resolve) => socketServer!.listen(join(dir, "socket"), resolve));
  }
});

afterAll(async () => {
  if (socketServer) await new Promise((resolve) => socketServer!.close(resolve));
});

function failure(file: string): SecretResolutionError {
  try {
    resolveSecret(secret.file(file), { baseDir: dir });
  } catch (e) {
    return e as SecretResolutionError;
  }
  throw new Error(`secret file ${file} was accepted`);
}

test.each([
  ["a regular file, its trailing newline removed", "key.txt"],
  ["a regular file with a CRLF line end", "crlf.txt"],
  ["a symbolic link to a regular file", "link.txt"],
])("accepted: %s", (_name, file) => {
  expect(resolveSecret(secret.file(file), { baseDir: dir })).toBe(CANARY);
});

test("a file of exactly the limit is accepted", () => {
  expect(resolveSecret(secret.file("limit.txt"), { baseDir: dir })).toHaveLength(MAX_SECRET_FILE_BYTES);
});

const refused: [string, string, string, boolean][] = [
  ["a directory", "a-directory", "secret file a-directory is a directory, not a regular file", true],
  [
    "a file one byte over the limit",
    "too-big.txt",
    `secret file too-big.txt is ${MAX_SECRET_FILE_BYTES + 1} bytes, larger than the ${MAX_SECRET_FILE_BYTES} bytes a secret file may have`,
    true,
  ],
  [
    "a Latin-1 file",
    "latin1.txt",
    `secret file latin1.txt is not valid UTF-8 text (first invalid byte at offset ${CANARY.length + 4})`,
    true,
  ],
  ["a missing file", "missing.txt", "secret file missing.txt cannot be read: no such file", true],
  ["a socket", "socket", "secret file socket is a socket, not a regular file", posix],
  ["a character device", "/dev/zero", "secret file /dev/zero is a character device, not a regular file", posix],
];

test.each(refused.filter(([, , , runs]) => runs))("refused: %s", (_name, file, message) => {
  const e = failure(file);
  expect(e).toBeInstanceOf(SecretResolutionError);
  expect(e.code).toBe("ESINFER_SECRET_UNRESOLVED");
  expect(e.message).toBe(message);
  expect(e.message).not.toContain(CANARY);
});

/**
 * A helper thread waits far longer than a non-blocking open takes, then opens the FIFO's write end, which would
 * release a reader blocked in open(). It records that it had to: if it did, the read blocked.
 */
function fifoRescuer(path: string): { rescued: () => boolean; stop: () => Promise<number> } {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData } = require("node:worker_threads");
     const fs = require("node:fs");
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
     Atomics.store(workerData.flag, 0, 1);
     const fd = fs.openSync(workerData.path, "w");
     fs.closeSync(fd);`,
    { eval: true, workerData: { path, flag } },
  );
  return { rescued: () => Atomics.load(flag, 0) === 1, stop: () => worker.terminate() };
}

(posix ? test : test.skip)("a FIFO nobody writes to is refused without waiting for a writer", async () => {
  const rescuer = fifoRescuer(join(dir, "fifo"));
  try {
    const e = failure("fifo");
    expect(rescuer.rescued()).toBe(false);
    expect(e.message).toBe("secret file fifo is a FIFO (named pipe), not a regular file");
  } finally {
    await rescuer.stop();
  }
});

test.each(["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"])(
  "an environment variable named %s is just a variable that is not set",
  (name) => {
    for (const env of [{}, process.env, { OTHER: "x" }]) {
      expect(() => resolveSecret({ env: name }, { env })).toThrow(
        new SecretResolutionError(`environment variable ${name} is not set (it holds a secret this endpoint needs)`),
      );
    }
    expect(resolveSecret({ env: name }, { env: JSON.parse(`{"${name}": "${CANARY}"}`) })).toBe(CANARY);
  },
);
