/**
 * `_update` semantics per version (§1.2): before main (2026) non-secret service settings are silently ignored and
 * secrets replaced (api_key required); task settings merge; main merges service settings, rejects unknown keys
 * and replaces chunking settings.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../../lib/emulator";
import { errorOf, MAIN_VERSION, openaiEmbedding, raw, VERSIONS, useEmulatorPerVersion, type Version } from "./helpers";

const RELEASED = VERSIONS.filter((v) => v !== MAIN_VERSION);

const emulatorFor = useEmulatorPerVersion();

async function setup(v: Version, body: unknown = openaiEmbedding(), path = "/_inference/text_embedding/e1") {
  const em = emulatorFor(v);
  em.reset();
  const res = await raw(em, "PUT", path, body);
  expect(res.status).toBe(200);
  return em;
}

const unknownPrefix = (v: Version) => (v === MAIN_VERSION ? "Configuration" : "Model configuration");

describe.each(RELEASED)("update at %s (released behavior)", (v) => {
  it("silently ignores non-secret service settings and replaces the secret", async () => {
    const em = await setup(v);
    const before = (await raw(em, "GET", "/_inference/e1")).json.endpoints[0];
    const res = await raw(em, "PUT", "/_inference/text_embedding/e1/_update", {
      service_settings: { api_key: "sk-new", model_id: "text-embedding-3-large", dimensions: 99, anything: true },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(before);
  });

  it("requires api_key whenever service_settings are sent (ES #139651)", async () => {
    const em = await setup(v);
    const res = await raw(em, "PUT", "/_inference/text_embedding/e1/_update", { service_settings: { model_id: "x" } });
    expect(errorOf(res)).toEqual({
      status: 400,
      type: "validation_exception",
      reason: "Validation Failed: 1: [secret_settings] does not contain the required setting [api_key];",
    });
  });

  it("uses each service's secret parser (AWS keys, Azure api_key | entra_id)", async () => {
    const em = await setup(
      v,
      {
        service: "amazonbedrock",
        service_settings: {
          access_key: "a",
          secret_key: "s",
          region: "us-east-1",
          provider: "amazontitan",
          model: "amazon.titan-embed-text-v2:0",
        },
      },
      "/_inference/text_embedding/b1",
    );
    expect(
      errorOf(
        await raw(em, "PUT", "/_inference/text_embedding/b1/_update", { service_settings: { access_key: "a2" } }),
      ),
    ).toEqual({
      status: 400,
      type: "validation_exception",
      reason: "Validation Failed: 1: [secret_settings] does not contain the required setting [secret_key];",
    });
    await raw(em, "PUT", "/_inference/completion/az", {
      service: "azureopenai",
      service_settings: { api_key: "k", resource_name: "r", deployment_id: "d", api_version: "2024-02-01" },
    });
    expect(
      errorOf(await raw(em, "PUT", "/_inference/completion/az/_update", { service_settings: { resource_name: "x" } })),
    ).toEqual({
      status: 400,
      type: "validation_exception",
      reason: "Validation Failed: 1: [secret_settings] must have either the [api_key] or the [entra_id] key set;",
    });
    expect(
      (await raw(em, "PUT", "/_inference/completion/az/_update", { service_settings: { entra_id: "t" } })).status,
    ).toBe(200);
  });

  it("merges task settings: keys change, never go away; unknown keys are ignored", async () => {
    const em = await setup(v);
    await raw(em, "PUT", "/_inference/text_embedding/e1/_update", { task_settings: { user: "a" } });
    const res = await raw(em, "PUT", "/_inference/e1/_update", {
      task_type: "text_embedding",
      task_settings: { headers: { "x-a": "1" }, nope: 1 },
    });
    expect(res.json.task_settings).toEqual({ user: "a", headers: { "x-a": "1" } });
  });

  it("validates task settings like create", async () => {
    const em = await setup(v);
    expect(
      errorOf(await raw(em, "PUT", "/_inference/text_embedding/e1/_update", { task_settings: { user: 5 } })),
    ).toEqual({
      status: 400,
      type: "validation_exception",
      reason:
        "Validation Failed: 1: field [user] is not of the expected type. The value [5] cannot be converted to a [String];",
    });
  });

  it("applies num_allocations to in-cluster endpoints; adaptive_allocations from 9.1; ignores the rest", async () => {
    const em = await setup(
      v,
      {
        service: "elasticsearch",
        service_settings: { model_id: ".multilingual-e5-small", num_threads: 1, num_allocations: 1 },
      },
      "/_inference/text_embedding/e5",
    );
    const r1 = await raw(em, "PUT", "/_inference/text_embedding/e5/_update", {
      service_settings: { num_allocations: 3, model_id: "other", num_threads: 8 },
    });
    expect(r1.json.service_settings).toEqual({
      num_allocations: 3,
      num_threads: 1,
      model_id: ".multilingual-e5-small",
      deployment_id: "e5",
    });
    const r2 = await raw(em, "PUT", "/_inference/text_embedding/e5/_update", {
      service_settings: { adaptive_allocations: { enabled: true, max_number_of_allocations: 4 } },
    });
    // Before 9.1 adaptive_allocations is not an update key: without num_allocations the update cannot be parsed.
    if (v === "8.18.0" || v === "8.19.0" || v === "9.0.0")
      expect(errorOf(r2).reason).toMatch(/^Failed to parse \[num_allocations\]/);
    else expect(r2.json.service_settings.adaptive_allocations).toEqual({ enabled: true, max_number_of_allocations: 4 });
  });
});

const beforeAdaptive = (v: Version) => v === "8.18.0" || v === "8.19.0" || v === "9.0.0";
const e5Body = {
  service: "elasticsearch",
  service_settings: { model_id: ".multilingual-e5-small", num_threads: 1, num_allocations: 1 },
};

describe.each(RELEASED)("in-cluster update at %s (released behavior)", (v) => {
  it(
    beforeAdaptive(v)
      ? "refuses an update without an integer num_allocations, quoting the raw body"
      : "takes an update without num_allocations (9.1+: the deployment update uses the merged settings)",
    async () => {
      const em = await setup(v, e5Body, "/_inference/text_embedding/e5");
      // The raw body as sent, spacing included: the server quotes the request content, not a re-serialization.
      const rawBody = '{"task_settings": {}, "service_settings": {"num_threads": 4}}';
      const res = await raw(em, "PUT", "/_inference/text_embedding/e5/_update", rawBody);
      if (beforeAdaptive(v)) {
        expect(errorOf(res)).toEqual({
          status: 400,
          type: "status_exception",
          reason: `Failed to parse [num_allocations] of update request [${rawBody}]`,
        });
        const onlyTask = '{"task_type":"text_embedding","task_settings":{"x":1}}';
        expect(errorOf(await raw(em, "PUT", "/_inference/e5/_update", onlyTask)).reason).toBe(
          `Failed to parse [num_allocations] of update request [${onlyTask}]`,
        );
      } else {
        expect(res.status).toBe(200);
        expect(res.json.service_settings).toEqual({
          num_allocations: 1,
          num_threads: 1,
          model_id: ".multilingual-e5-small",
          deployment_id: "e5",
        });
      }
    },
  );

  it(
    beforeAdaptive(v)
      ? "answers a non-integer num_allocations with the server's ClassCastException (500)"
      : "validates num_allocations",
    async () => {
      const em = await setup(v, e5Body, "/_inference/text_embedding/e5");
      const res = await raw(em, "PUT", "/_inference/text_embedding/e5/_update", {
        service_settings: { num_allocations: "2" },
      });
      if (beforeAdaptive(v))
        expect(errorOf(res)).toEqual({
          status: 500,
          type: "class_cast_exception",
          reason:
            "class java.lang.String cannot be cast to class java.lang.Integer (java.lang.String and java.lang.Integer are in module java.base of loader 'bootstrap')",
        });
      else expect(errorOf(res).type).toBe("validation_exception");
      expect((await raw(em, "GET", "/_inference/e5")).json.endpoints[0].service_settings.num_allocations).toBe(1);
    },
  );
});

describe.each(VERSIONS)("in-cluster update at %s (all versions)", (v) => {
  it("refuses (409) to update a deployment another endpoint created", async () => {
    const em = await setup(v, e5Body, "/_inference/text_embedding/e5");
    expect(
      (
        await raw(em, "PUT", "/_inference/text_embedding/e6", {
          service: "elasticsearch",
          service_settings: { deployment_id: "e5" },
        })
      ).status,
    ).toBe(200);
    expect(
      errorOf(
        await raw(em, "PUT", "/_inference/text_embedding/e6/_update", { service_settings: { num_allocations: 3 } }),
      ),
    ).toEqual({
      status: 409,
      type: "status_exception",
      reason:
        "Cannot update inference endpoint [e6] for model deployment [e5] as it was created by another inference endpoint. The model can only be updated using inference endpoint id [e5].",
    });
  });

  it("refuses (409) to update a deployment made through the trained models API", async () => {
    const em = await setup(
      v,
      { service: "elasticsearch", service_settings: { deployment_id: "my-deployment" } },
      "/_inference/text_embedding/e7",
    );
    expect(
      errorOf(
        await raw(em, "PUT", "/_inference/text_embedding/e7/_update", { service_settings: { num_allocations: 3 } }),
      ),
    ).toEqual({
      status: 409,
      type: "status_exception",
      reason:
        "Cannot update inference endpoint [e7] using model deployment [my-deployment]. The model deployment must be updated through the trained models API.",
    });
    expect((await raw(em, "GET", "/_inference/e7")).json.endpoints[0].service_settings.num_allocations).toBe(1);
  });
});

describe("update at main (2026)", () => {
  const v = MAIN_VERSION;

  it("merges the service's mutable settings, no longer requires the api_key, and rejects immutable ones", async () => {
    const em = await setup(v);
    const res = await raw(em, "PUT", "/_inference/text_embedding/e1/_update", {
      service_settings: { rate_limit: { requests_per_minute: 10 } },
    });
    expect(res.json.service_settings).toEqual({
      model_id: "text-embedding-3-small",
      rate_limit: { requests_per_minute: 10 },
      dimensions: 1536,
      similarity: "dot_product",
    });
    // model_id is immutable (#147465): main's strict update parsers reject it, changing nothing.
    expect(
      errorOf(await raw(em, "PUT", "/_inference/text_embedding/e1/_update", { service_settings: { model_id: "x" } })),
    ).toEqual({
      status: 400,
      type: "status_exception",
      reason: `${unknownPrefix(v)} contains settings [{model_id=x}] unknown to the [openai] service`,
    });
    expect((await raw(em, "GET", "/_inference/e1")).json.endpoints[0].service_settings.model_id).toBe(
      "text-embedding-3-small",
    );
  });

  // Unknown service and task settings: test/conformance/update-action.test.ts (TransportUpdateInferenceModelActionTests).

  it("replaces chunking settings as a whole and validates them", async () => {
    const em = await setup(v);
    const res = await raw(em, "PUT", "/_inference/text_embedding/e1/_update", {
      chunking_settings: { strategy: "word", max_chunk_size: 100, overlap: 20 },
    });
    expect(res.json.chunking_settings).toEqual({ strategy: "word", max_chunk_size: 100, overlap: 20 });
    const bad = await raw(em, "PUT", "/_inference/text_embedding/e1/_update", {
      chunking_settings: { strategy: "word" },
    });
    expect(errorOf(bad).reason).toBe(
      "Validation Failed: 1: [chunking_settings] does not contain the required setting [max_chunk_size];",
    );
  });

  it("in-cluster endpoints take only allocation settings", async () => {
    const em = await setup(
      v,
      {
        service: "elasticsearch",
        service_settings: { model_id: ".multilingual-e5-small", num_threads: 1, num_allocations: 1 },
      },
      "/_inference/text_embedding/e5",
    );
    expect(
      errorOf(await raw(em, "PUT", "/_inference/text_embedding/e5/_update", { service_settings: { model_id: "x" } }))
        .reason,
    ).toBe("Configuration contains settings [{model_id=x}] unknown to the [elasticsearch] service");
  });
});

describe.each(VERSIONS)("update at %s (all versions)", (v) => {
  it("an update that changes nothing is a no-op returning the current configuration", async () => {
    const em = await setup(v, { ...openaiEmbedding(), task_settings: { user: "u" } });
    const current = (await raw(em, "GET", "/_inference/e1")).json.endpoints[0];
    const res = await raw(em, "PUT", "/_inference/text_embedding/e1/_update", { task_settings: { user: "u" } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(current);
  });

  it("accepts the task type in the body with the task-type-less path (PR #121231)", async () => {
    const em = await setup(v);
    const res = await raw(em, "PUT", "/_inference/e1/_update", {
      task_type: "TEXT_EMBEDDING",
      task_settings: { user: "b" },
    });
    expect(res.json.task_settings).toEqual({ user: "b" });
  });

  it("is PUT only: POST .../_update is perform inference on an endpoint named _update", async () => {
    const em = await setup(v);
    const res = await raw(em, "POST", "/_inference/e1/_update", { input: "x" });
    expect(errorOf(res)).toEqual({ status: 400, type: "status_exception", reason: "Unknown task_type [e1]" });
  });
});

it("replaces the secret digest on disk, never the value (released versions)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "esinfer-emu-upd-"));
  const em = await startEmulator({ esVersion: "9.1.0", dataDir: dir });
  try {
    await raw(em, "PUT", "/_inference/text_embedding/e1", openaiEmbedding({ api_key: "sk-first-canary" }));
    const before = readFileSync(em.stateFile!, "utf8");
    await raw(em, "PUT", "/_inference/text_embedding/e1/_update", {
      service_settings: { api_key: "sk-second-canary" },
    });
    const after = readFileSync(em.stateFile!, "utf8");
    expect(before).not.toContain("sk-first-canary");
    expect(after).not.toContain("sk-second-canary");
    const digestOf = (s: string) => JSON.parse(s).endpoints[0].secrets.api_key as string;
    expect(digestOf(before)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digestOf(after)).not.toBe(digestOf(before));
  } finally {
    await em.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
