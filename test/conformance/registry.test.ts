/**
 * The registry decides, and the engine and the emulator both follow it: for every supported version, every service
 * and task type that version has, and every service setting, task setting and chunking change, the engine's
 * in-place-or-replace decision (`replaceReason`) must be exactly what the emulator's `_update` does. Driven over
 * HTTP with esinfer's own client: create the endpoint, `_update` the one field (with what the engine would send
 * alongside it: the secrets, and num_allocations where the version needs it), read it back, compare.
 */
import { hasBehavior, MAIN_VERSION, isAtLeast, type TaskType } from "../../lib/catalogue";
import { ElasticsearchClient, ElasticsearchError } from "../../lib/client";
import { startEmulator, type Emulator } from "../../lib/emulator";
import { taskFields, type FieldSpec } from "../../lib/emulator/schema";
import { availableFields } from "../../lib/emulator/settings-parse";
import { behaviorFor } from "../../lib/emulator/versions";
import { replaceReason, updateNeedsNumAllocations } from "../../lib/engine/updatability";
import { jsonEqual } from "../../lib/model/canonical";
import { requestFor } from "../emulator/helpers";
import { pairsAt } from "./helpers";

/** Every version esinfer supports: 8.18, the 8.19 line (after its backports), 9.0 to 9.5, and main. */
const VERSIONS = ["8.18.0", "8.19.7", "9.0.0", "9.1.0", "9.2.0", "9.3.0", "9.4.0", "9.5.0", MAIN_VERSION];

/** A valid value different from `current` for a field, or undefined when the field has no value to try. */
function changedValue(field: FieldSpec, current: unknown, service: string): unknown {
  const t = field.type;
  switch (t.kind) {
    case "string":
      if (field.name === "request") return '{"input": ${input}, "changed": true}';
      if (/url$/.test(field.name)) return "https://changed.example.com/v1";
      return `changed-${field.name}`;
    case "enum": {
      const now = String(current ?? "").toLowerCase();
      return t.values.find((v) => v.toLowerCase() !== now);
    }
    case "int":
      if (field.name === "num_threads") return current === 2 ? 4 : 2;
      return typeof current === "number" ? current + 1 : 7;
    case "number":
      return typeof current === "number" ? current / 2 : 0.5;
    case "bool":
      return current !== true;
    case "stringList":
      return ["changed"];
    case "stringMap":
      return { "X-Changed": "1" };
    case "object":
      if (field.name === "rate_limit") return { requests_per_minute: 123 };
      if (field.name === "adaptive_allocations")
        return { enabled: true, min_number_of_allocations: 1, max_number_of_allocations: 3 };
      if (field.name === "response" && service === "custom") {
        const parser = (current as { json_parser?: Record<string, string> } | undefined)?.json_parser ?? {};
        return { json_parser: Object.fromEntries(Object.keys(parser).map((k) => [k, `$.changed.${k}`])) };
      }
      if (field.name === "input_type" && service === "custom") return { translation: { ingest: "doc" }, default: "x" };
      return undefined;
    default:
      return undefined;
  }
}

/** Whether the read-back value is what was sent (enums case-insensitively, as the server may upper-case them). */
function taken(sent: unknown, stored: unknown): boolean {
  if (typeof sent === "string" && typeof stored === "string") return sent.toLowerCase() === stored.toLowerCase();
  return jsonEqual(sent, stored);
}

/** What the emulator's `_update` did with one changed field: applied it, or not (ignored or refused). */
async function emulatorApplies(
  client: ElasticsearchClient,
  taskType: TaskType,
  id: string,
  body: Record<string, unknown>,
  read: (e: Record<string, unknown>) => unknown,
  sent: unknown,
): Promise<{ applied: boolean; detail: string }> {
  try {
    await client.updateEndpoint(taskType, id, body);
  } catch (error) {
    if (error instanceof ElasticsearchError) return { applied: false, detail: `refused: ${error.message}` };
    throw error;
  }
  const stored = (await client.getEndpoint(id)) as unknown as Record<string, unknown>;
  const value = read(stored);
  return { applied: taken(sent, value), detail: `stored ${JSON.stringify(value)}` };
}

interface Case {
  readonly what: string;
  readonly engineInPlace: boolean;
  readonly reason: string | undefined;
  readonly emulator: { applied: boolean; detail: string };
}

describe.each(VERSIONS)("Elasticsearch %s: the engine plans what _update does", (version) => {
  let em: Emulator;
  let client: ElasticsearchClient;
  beforeAll(async () => {
    em = await startEmulator({ esVersion: version });
    client = new ElasticsearchClient({ nodes: [em.url], maxRetries: 0 });
  });
  afterAll(async () => {
    await client.close();
    await em.stop();
  });
  const behavior = behaviorFor(version);
  /** Service settings applied in place, as `service task field`, across this version's cases (checked last). */
  const inPlace: string[] = [];

  it.each(pairsAt(version))(
    "%s %s",
    async (service, taskType) => {
      const { id, body } = requestFor(service, taskType);
      const created = (await client.createEndpoint(taskType, id, body as never)).endpoint as unknown as Record<
        string,
        any
      >;
      const fields = taskFields(service, taskType)!;
      const createdSettings = body.service_settings as Record<string, unknown>;
      const secrets = Object.fromEntries(
        availableFields(fields.serviceSettings, behavior)
          .filter((f) => f.secret && Object.hasOwn(createdSettings, f.name))
          .map((f) => [f.name, createdSettings[f.name]]),
      );
      const alongside = (): Record<string, unknown> => ({
        ...secrets,
        ...(updateNeedsNumAllocations(service, version)
          ? { num_allocations: current.service_settings.num_allocations }
          : {}),
      });
      let current = created;
      const cases: Case[] = [];

      for (const field of availableFields(fields.serviceSettings, behavior)) {
        if (field.secret) continue;
        const before = current.service_settings[field.name];
        const value = changedValue(field, before, service);
        if (value === undefined) continue;
        const reason = replaceReason(
          service,
          taskType,
          `service_settings.${field.name}`,
          before === undefined ? "add" : "change",
          version,
        );
        const emulator = await emulatorApplies(
          client,
          taskType,
          id,
          { service_settings: { ...alongside(), [field.name]: value } },
          (e) => (e.service_settings as Record<string, unknown>)[field.name],
          value,
        );
        cases.push({ what: `service_settings.${field.name}`, engineInPlace: reason === undefined, reason, emulator });
        current = (await client.getEndpoint(id)) as never;
      }

      for (const field of availableFields(fields.taskSettings, behavior)) {
        const before = (current.task_settings ?? {})[field.name];
        const value = changedValue(field, before, service);
        if (value === undefined) continue;
        const reason = replaceReason(
          service,
          taskType,
          `task_settings.${field.name}`,
          before === undefined ? "add" : "change",
          version,
        );
        const extra = updateNeedsNumAllocations(service, version) ? { service_settings: alongside() } : {};
        const emulator = await emulatorApplies(
          client,
          taskType,
          id,
          { ...extra, task_settings: { [field.name]: value } },
          (e) => ((e.task_settings ?? {}) as Record<string, unknown>)[field.name],
          value,
        );
        cases.push({ what: `task_settings.${field.name}`, engineInPlace: reason === undefined, reason, emulator });
        current = (await client.getEndpoint(id)) as never;
      }

      if (fields.spec.chunking) {
        const value = { strategy: "word", max_chunk_size: 120, overlap: 12 };
        const reason = replaceReason(service, taskType, "chunking_settings.strategy", "change", version);
        const extra = updateNeedsNumAllocations(service, version) ? { service_settings: alongside() } : {};
        const emulator = await emulatorApplies(
          client,
          taskType,
          id,
          { ...extra, chunking_settings: value },
          (e) => e.chunking_settings,
          value,
        );
        cases.push({ what: "chunking_settings", engineInPlace: reason === undefined, reason, emulator });
      }

      for (const c of cases)
        if (c.engineInPlace && c.emulator.applied && c.what.startsWith("service_settings."))
          inPlace.push(`${service} ${taskType} ${c.what.slice("service_settings.".length)}`);
      const disagreements = cases
        .filter((c) => c.engineInPlace !== c.emulator.applied)
        .map(
          (c) =>
            `${c.what}: engine ${c.engineInPlace ? "in place" : `replace (${c.reason})`}; emulator ${c.emulator.detail}`,
        );
      expect(disagreements).toEqual([]);
      // Every service setting the registry makes updatable was tried and applied (a guard against a silent skip).
      expect(cases.length).toBeGreaterThan(0);
    },
    60_000,
  );

  it("tried the updatable service settings the registry lists (not a vacuous pass)", () => {
    expect(inPlace).toContain("elasticsearch text_embedding num_allocations");
    const rateLimits = inPlace.filter((c) => c.endsWith(" rate_limit"));
    if (isAtLeast(version, "9.5.0")) {
      expect(inPlace).toContain("openai text_embedding rate_limit");
      expect(inPlace).toContain("openai completion organization_id");
      expect(inPlace).toContain("custom rerank request");
      expect(rateLimits.length).toBeGreaterThan(40);
    } else if (isAtLeast(version, "9.4.0"))
      expect(rateLimits.sort()).toEqual([
        "ai21 chat_completion rate_limit",
        "ai21 completion rate_limit",
        "alibabacloud-ai-search completion rate_limit",
        "alibabacloud-ai-search rerank rate_limit",
        "alibabacloud-ai-search sparse_embedding rate_limit",
        "alibabacloud-ai-search text_embedding rate_limit",
      ]);
    else expect(rateLimits).toEqual([]);
  });

  it("chunking on _update follows update.chunking_settings", () => {
    expect(
      replaceReason("openai", "text_embedding", "chunking_settings.strategy", "change", version) === undefined,
    ).toBe(hasBehavior("update.chunking_settings", version));
  });
});
