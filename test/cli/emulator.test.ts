/**
 * `esinfer emulator`: in-process through `main(argv, io)` (stopped with an abort signal carried by the io), and once
 * as a real child process of `bin/esinfer.js` (needs `npm run build`; `npm test` builds first).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MAIN_VERSION } from "../../lib/catalogue";
import { main } from "../../lib/cli/main";
import { captureIo, type CapturedIo } from "../helpers/io";

interface Running {
  readonly io: CapturedIo;
  readonly url: string;
  readonly exit: Promise<number>;
  stop(): Promise<number>;
}

async function waitFor<T>(probe: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs `esinfer emulator <args>` in-process until `stop()`; resolves once the URL line is printed. */
async function startCli(args: string[], env: Record<string, string | undefined> = {}): Promise<Running> {
  const controller = new AbortController();
  const io = Object.assign(captureIo({ env }), { signal: controller.signal });
  const exit = main(["emulator", ...args], io);
  const url = await Promise.race([
    waitFor(() => (io.out().includes("\n") ? io.out().split("\n")[0] : undefined), "the URL line"),
    exit.then((code) => {
      throw new Error(`the emulator exited with ${code}: ${io.err()}`);
    }),
  ]);
  return {
    io,
    url,
    exit,
    stop: () => {
      controller.abort();
      return exit;
    },
  };
}

async function fetchJson(url: string, init: RequestInit = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, init);
  return { status: res.status, json: await res.json() };
}

const put = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetchJson(url, {
    method: "PUT",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("esinfer emulator (in-process)", () => {
  it("--port 0: the first line is the URL alone; serves the newest behavior by default; stops on abort", async () => {
    const cli = await startCli(["--port", "0"]);
    expect(cli.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.url).not.toMatch(/:0$/);
    const info = await fetchJson(`${cli.url}/`);
    expect(info.json.version.number).toBe(MAIN_VERSION);
    expect(cli.io.out().split("\n")[1]).toContain("a test double, not Elasticsearch");
    expect(await cli.stop()).toBe(0);
    expect(cli.io.out()).toMatch(/esinfer emulator stopped\n$/);
    await expect(fetch(`${cli.url}/`)).rejects.toThrow();
  });

  it("--es-version selects the emulated version", async () => {
    const cli = await startCli(["--port", "0", "--es-version", "8.18.2"]);
    try {
      expect((await fetchJson(`${cli.url}/`)).json.version.number).toBe("8.18.2");
      const ids = (await fetchJson(`${cli.url}/_inference`)).json.endpoints.map((e: any) => e.inference_id);
      expect(ids).toEqual([".elser-2-elasticsearch", ".multilingual-e5-small-elasticsearch"]);
    } finally {
      await cli.stop();
    }
  });

  it("--api-key requires the key and never prints it (nor does the environment variable form)", async () => {
    const key = "cli-key-CANARY-9";
    for (const [args, env] of [
      [["--port", "0", "--api-key", key], {}],
      [["--port", "0"], { ESINFER_EMULATOR_API_KEY: key }],
    ] as const) {
      const cli = await startCli([...args], env);
      try {
        expect((await fetchJson(`${cli.url}/`)).status).toBe(401);
        expect((await fetchJson(`${cli.url}/`, { headers: { authorization: `ApiKey ${key}` } })).status).toBe(200);
      } finally {
        await cli.stop();
      }
      expect(cli.io.out()).toContain("API key authentication on");
      expect(cli.io.out() + cli.io.err()).not.toContain(key);
    }
  });

  it("--latency-ms delays every response", async () => {
    const cli = await startCli(["--port", "0", "--latency-ms", "60"]);
    try {
      const t0 = performance.now();
      await fetchJson(`${cli.url}/`);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
      expect(cli.io.out()).toContain("latency: 60 ms per request");
    } finally {
      await cli.stop();
    }
  });

  it("--data-dir: state survives a restart; secrets are stored only as digests", async () => {
    const dir = mkdtempSync(join(tmpdir(), "esinfer-cli-emu-"));
    const secret = "sk-data-dir-CANARY-5";
    try {
      const first = await startCli(["--port", "0", "--data-dir", dir]);
      const created = await put(`${first.url}/_inference/text_embedding/e1`, {
        service: "openai",
        service_settings: { api_key: secret, model_id: "text-embedding-3-small" },
      });
      expect(created.status).toBe(200);
      expect(first.io.out()).toContain(`state: ${resolve(dir)}`);
      await first.stop();

      const files = readdirSync(dir);
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(readFileSync(join(dir, f), "utf8")).not.toContain(secret);

      const second = await startCli(["--port", "0", "--data-dir", dir]);
      try {
        const got = await fetchJson(`${second.url}/_inference/e1`);
        expect(got.json.endpoints[0]).toEqual(created.json);
        // A restart does not forget that the id is taken.
        expect(
          (
            await put(`${second.url}/_inference/text_embedding/e1`, {
              service: "openai",
              service_settings: { api_key: "k", model_id: "m" },
            })
          ).json.error.type,
        ).toBe("resource_already_exists_exception");
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [["--port", "70000"], "--port must be a number from 0 to 65535"],
    [["--port", "abc"], "--port must be a number from 0 to 65535"],
    [["--port", "0", "--latency-ms", "fast"], "--latency-ms must be a whole number of milliseconds"],
    [
      ["--port", "0", "--es-version", "8.17.0"],
      "--es-version: the emulator supports Elasticsearch 8.18.0 and later (got 8.17.0)",
    ],
    [["--port", "0", "--es-version", "latest"], "--es-version: not an Elasticsearch version"],
    [["--port", "0", "--api-key", " "], "--api-key must not be empty"],
  ])("refuses %j with a usage error and exit code 1", async (args, message) => {
    const io = captureIo();
    expect(await main(["emulator", ...args], io)).toBe(1);
    expect(io.err()).toContain(`esinfer: ${message}`);
    expect(io.out()).toBe("");
  });

  it("a port in use is a usage error that suggests --port 0", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const io = captureIo();
      expect(await main(["emulator", "--port", String(port)], io)).toBe(1);
      expect(io.err()).toBe(`esinfer: port ${port} on 127.0.0.1 is already in use (try --port 0)\n`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe("esinfer emulator (child process)", () => {
  const bin = resolve(__dirname, "../../bin/esinfer.js");
  const built = resolve(__dirname, "../../dist/cli/main.js");

  it("node bin/esinfer.js emulator --port 0 prints its URL first, serves requests and exits 0 on SIGTERM", async () => {
    if (!existsSync(built))
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does it in pretest)`);
    const child = spawn(process.execPath, [bin, "emulator", "--port", "0", "--es-version", "9.1.0"], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      const url = await waitFor(
        () => (out.includes("\n") ? out.split("\n")[0] : undefined),
        `the URL line (stderr: ${err})`,
        60_000, // bounds a hang only: a busy machine starts node slowly
      );
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetchJson(`${url}/`)).json.version.number).toBe("9.1.0");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(out).toMatch(/esinfer emulator stopped\n$/);
      expect(err).toBe("");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
