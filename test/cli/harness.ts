/**
 * Running `esinfer` commands in-process against an in-process emulator, in a fresh project directory per test.
 * Every command's stdout and stderr is checked for the canary secrets on the way out: no CLI test can print one
 * without failing, whatever it is about.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { main } from "../../lib/cli/main";
import { startEmulator, type Emulator, type EmulatorOptions } from "../../lib/emulator";
import { captureIo } from "../helpers/io";

/** Provider keys, set through the environment variables the manifests reference. */
export const CANARY = "sk-CANARY-cli-4e1d-never-print";
export const CANARY_COHERE = "co-CANARY-cli-77aa-never-print";
export const CANARIES = [CANARY, CANARY_COHERE];
export const ENV = { OPENAI_API_KEY: CANARY, COHERE_API_KEY: CANARY_COHERE };

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[/;

import { elser } from "../helpers/endpoints";

export { elser, embeddings, rerank } from "../helpers/endpoints";

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** stdout and stderr are terminals. */
  tty?: boolean;
  /** What the user types; given, stdin is a terminal (else stdin is an empty pipe). */
  typed?: string;
}

export interface Run {
  code: number;
  out: string;
  err: string;
}

export interface Cli {
  readonly emu: Emulator;
  /** The current test's project directory (manifests, plans, `.esinfer/state`). */
  dir(): string;
  run(argv: string[], options?: RunOptions): Promise<Run>;
  /** Writes `m.json` (or `name`) in the project directory: a manifest of the emulator's cluster. */
  manifest(endpoints: unknown[], extra?: Record<string, unknown>, name?: string): string;
  write(name: string, content: unknown): string;
  read(name: string): string;
  /** Text of every state file of the project (empty when none was written). */
  stateFiles(): string[];
  /**
   * PUT/POST/DELETE requests that change something, received since the last `emu.requests.clear()` (reads sent
   * with POST or DELETE, `_mget` of the ownership claims and `DELETE ?dry_run=true`, are left out).
   */
  writes(): string[];
}

/** Starts one emulator for the test file; a fresh emulator state and project directory for every test. */
export function useCli(options: EmulatorOptions = {}): Cli {
  let emu: Emulator | undefined;
  let dir = "";
  beforeAll(async () => {
    emu = await startEmulator(options);
  });
  afterAll(() => emu?.stop());
  beforeEach(() => {
    emu!.reset();
    dir = mkdtempSync(join(tmpdir(), "esinfer-cli-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown) => {
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2));
    return name;
  };

  return {
    get emu() {
      return emu!;
    },
    dir: () => dir,
    async run(argv, opts = {}) {
      const io = captureIo({ cwd: dir, env: { ...ENV, ...opts.env }, tty: opts.tty ?? false });
      const stdin =
        opts.typed !== undefined ? Object.assign(Readable.from([opts.typed]), { isTTY: true }) : Readable.from([""]);
      const code = await main(argv, { ...io, stdin });
      const out = io.out();
      const err = io.err();
      for (const secret of CANARIES)
        if ((out + err).includes(secret))
          throw new Error(`esinfer ${argv.join(" ")} printed a secret:\n--- stdout\n${out}\n--- stderr\n${err}`);
      return { code, out, err };
    },
    manifest(endpoints, extra = {}, name = "m.json") {
      return write(name, { stack: "test", cluster: { url: emu!.url }, endpoints, ...extra });
    },
    write,
    read: (name) => readFileSync(join(dir, name), "utf8"),
    stateFiles() {
      const stateDir = join(dir, ".esinfer", "state");
      if (!existsSync(stateDir)) return [];
      return readdirSync(stateDir).map((f) => readFileSync(join(stateDir, f), "utf8"));
    },
    writes: () =>
      emu!.requests
        .list()
        .filter(
          (r) =>
            r.method !== "GET" &&
            !(r.method === "DELETE" && r.query.dry_run === "true") &&
            !(r.method === "POST" && r.path.endsWith("/_mget")),
        )
        .map((r) => `${r.method} ${r.path}${Object.keys(r.query).length ? `?${new URLSearchParams(r.query)}` : ""}`),
  };
}

/** The lines of a text, without the final empty one. */
export const lines = (text: string) => text.replace(/\n$/, "").split("\n");

/** Creates an ELSER endpoint directly in the emulator, as someone outside any esinfer stack would. */
export function createOutsideEsinfer(emu: Emulator, id = "someone-elses"): void {
  emu.createEndpoint(id, { service: "elasticsearch", service_settings: elser().service_settings }, "sparse_embedding");
}

/** Creates a pipeline and a `semantic_text` index that use an endpoint, as an application would. */
export async function useEndpoint(emu: Emulator, id: string): Promise<void> {
  const put = async (path: string, body: unknown) => {
    const response = await fetch(`${emu.url}${path}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
  };
  await put(`/_ingest/pipeline/embed-docs`, {
    processors: [{ inference: { model_id: id, input_output: { input_field: "text", output_field: "vec" } } }],
  });
  await put(`/docs`, { mappings: { properties: { body: { type: "semantic_text", inference_id: id } } } });
}
