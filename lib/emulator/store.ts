/**
 * Emulator state: inference endpoints, indices (mappings and documents) and ingest pipelines, optionally persisted
 * to one JSON file written atomically on every change. Secret values are never kept: each is replaced by its
 * SHA-256 digest as soon as it is parsed, in memory and on disk alike.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { TaskType } from "../catalogue";
import { clone } from "./json";

/** An endpoint as GET returns it (§2 field order). */
export interface EndpointConfig {
  inference_id: string;
  task_type: TaskType;
  service: string;
  service_settings: Record<string, unknown>;
  task_settings?: Record<string, unknown>;
  chunking_settings?: Record<string, unknown>;
}

/** Digest of one secret value, or of each value of a secret map (the custom service's `secret_parameters`). */
export type SecretDigest = string | Record<string, string>;

export interface StoredEndpoint {
  readonly inference_id: string;
  readonly task_type: TaskType;
  readonly service: string;
  /** What GET returns: never secrets. */
  readonly service_settings: Record<string, unknown>;
  readonly task_settings: Record<string, unknown>;
  readonly chunking_settings?: Record<string, unknown>;
  /** `sha256:<hex>` digests of the secret settings, by field name. */
  readonly secrets: Record<string, SecretDigest>;
}

export interface StoredDoc {
  source: unknown;
  version: number;
  seqNo: number;
  primaryTerm: number;
}

export interface IndexState {
  readonly name: string;
  readonly uuid: string;
  mappings: Record<string, unknown>;
  settings: Record<string, unknown>;
  readonly docs: Map<string, StoredDoc>;
  /** Last version of every id ever written, deleted ones included (Elasticsearch keeps delete tombstones). */
  readonly versions: Map<string, number>;
  /** Next sequence number (one shard, one primary term). */
  nextSeqNo: number;
}

export const PRIMARY_TERM = 1;

/** `sha256:<hex>` of a secret value. */
export function digest(value: string): string {
  return `sha256:${createHash("sha256").update(value, "utf8").digest("hex")}`;
}

/** Digests of parsed secret settings (string values or maps of string values). */
export function digestSecrets(secrets: Readonly<Record<string, unknown>>): Record<string, SecretDigest> {
  const out: Record<string, SecretDigest> = {};
  for (const [key, value] of Object.entries(secrets)) {
    if (typeof value === "string") out[key] = digest(value);
    else if (value && typeof value === "object")
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, digest(String(v))]));
  }
  return out;
}

/** The GET view of a stored endpoint: empty task settings left out. */
export function render(e: StoredEndpoint): EndpointConfig {
  const config: EndpointConfig = {
    inference_id: e.inference_id,
    task_type: e.task_type,
    service: e.service,
    service_settings: clone(e.service_settings),
  };
  if (Object.keys(e.task_settings).length > 0) config.task_settings = clone(e.task_settings);
  if (e.chunking_settings) config.chunking_settings = clone(e.chunking_settings);
  return config;
}

interface PersistedState {
  format: 1;
  endpoints: StoredEndpoint[];
  pipelines: Record<string, Record<string, unknown>>;
  indices: {
    name: string;
    uuid: string;
    mappings: Record<string, unknown>;
    settings: Record<string, unknown>;
    nextSeqNo: number;
    docs: Record<string, StoredDoc>;
    versions: Record<string, number>;
  }[];
}

const STATE_FILE = "esinfer-emulator-state.json";

export class Store {
  readonly endpoints = new Map<string, StoredEndpoint>();
  readonly indices = new Map<string, IndexState>();
  readonly pipelines = new Map<string, Record<string, unknown>>();
  /** Trained models uploaded with Eland (the emulator's configuration, not persisted): ids elasticsearch endpoints may name. */
  readonly elandModels: ReadonlySet<string>;
  private readonly file: string | undefined;
  private writes = 0;

  /** `dataDir`: where the state survives restarts (created if missing); undefined = in memory only. */
  constructor(dataDir?: string, elandModels: Iterable<string> = []) {
    this.elandModels = new Set(elandModels);
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      this.file = join(dataDir, STATE_FILE);
      this.load();
    }
  }

  /** Path of the state file, when persistent. */
  get stateFile(): string | undefined {
    return this.file;
  }

  private load(): void {
    if (!this.file || !existsSync(this.file)) return;
    const state = JSON.parse(readFileSync(this.file, "utf8")) as PersistedState;
    for (const e of state.endpoints ?? []) this.endpoints.set(e.inference_id, e);
    for (const [id, p] of Object.entries(state.pipelines ?? {})) this.pipelines.set(id, p);
    for (const i of state.indices ?? [])
      this.indices.set(i.name, {
        name: i.name,
        uuid: i.uuid,
        mappings: i.mappings,
        settings: i.settings ?? {},
        nextSeqNo: i.nextSeqNo,
        docs: new Map(Object.entries(i.docs)),
        versions: new Map(Object.entries(i.versions)),
      });
  }

  /** Writes the state file (write to a temporary file, then rename: readers never see a partial file). */
  save(): void {
    if (!this.file) return;
    const state: PersistedState = {
      format: 1,
      endpoints: [...this.endpoints.values()],
      pipelines: Object.fromEntries(this.pipelines),
      indices: [...this.indices.values()].map((i) => ({
        name: i.name,
        uuid: i.uuid,
        mappings: i.mappings,
        settings: i.settings,
        nextSeqNo: i.nextSeqNo,
        docs: Object.fromEntries(i.docs),
        versions: Object.fromEntries(i.versions),
      })),
    };
    const tmp = `${this.file}.${process.pid}.${++this.writes}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(state, null, 1), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (error) {
      if (existsSync(tmp)) unlinkSync(tmp);
      throw error;
    }
  }

  /** Forgets everything (and persists the empty state). */
  reset(): void {
    this.endpoints.clear();
    this.indices.clear();
    this.pipelines.clear();
    this.save();
  }
}
