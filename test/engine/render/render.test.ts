import type { EndpointPlan, Plan } from "../../../lib/engine/plan-types";
import {
  documentedFields,
  formatValue,
  planDocument,
  renderHuman,
  renderJson,
  renderMarkdown,
  safeUrl,
  summaryLine,
} from "../../../lib/engine/render";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;
const CANARY = "sk-CANARY-7f3a-never-print";

function endpoint(partial: Partial<EndpointPlan> & Pick<EndpointPlan, "inference_id" | "action">): EndpointPlan {
  return { task_type: "rerank", service: "cohere", reasons: [], changes: [], warnings: [], ...partial };
}

function makePlan(endpoints: EndpointPlan[], extra: Partial<Plan> = {}): Plan {
  const summary = { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 };
  for (const e of endpoints) summary[e.action]++;
  return {
    format_version: "1.0",
    esinfer_version: "0.1.0",
    created_at: "2026-01-01T00:00:00.000Z",
    stack: "prod-search",
    cluster: {
      url: "https://es.example.com:9200",
      version: "9.1.0",
      serverless: false,
      cluster_uuid: "uuid-1",
      cluster_name: "prod-a",
    },
    summary,
    endpoints,
    warnings: [],
    basis: { live_digest: "sha256:00", state_lineage: "lineage-1", state_serial: 3 },
    ...extra,
  };
}

const create = endpoint({
  inference_id: "a-create",
  action: "create",
  service: "elasticsearch",
  task_type: "sparse_embedding",
  reasons: ["not in the cluster"],
  changes: [
    { path: "service_settings.model_id", after: ".elser_model_2", sensitive: false },
    { path: "service_settings.num_threads", after: 1, sensitive: false },
    // a buggy producer passing the real value must still print (sensitive)
    { path: "service_settings.api_key", after: CANARY, sensitive: true },
    {
      path: "chunking_settings",
      after: { strategy: "sentence", max_chunk_size: 250, sentence_overlap: 1 },
      sensitive: false,
    },
  ],
  declared: {
    inference_id: "a-create",
    task_type: "sparse_embedding",
    service: "elasticsearch",
    service_settings: { num_threads: 1, model_id: ".elser_model_2", api_key: { env: "ES_KEY" } },
    task_settings: {},
  },
  secret_fingerprints: { "service_settings.api_key": "hmac-sha256:abc" },
});

const update = endpoint({
  inference_id: "b-update",
  action: "update",
  service: "openai",
  task_type: "text_embedding",
  reasons: ["3 fields differ; _update applies all of them"],
  changes: [
    { path: "service_settings.api_key", before: "(sensitive)", after: "(sensitive)", sensitive: true },
    { path: "task_settings.user", before: "alice", after: "bob", sensitive: false },
    { path: "task_settings.prompt", before: "line one\nline two", sensitive: false },
  ],
  warnings: ["service_settings.organization_id: not verified"],
});

const replace = endpoint({
  inference_id: "c-replace",
  action: "replace",
  reasons: ["service_settings.model_id: _update cannot change it before 9.2"],
  changes: [
    {
      path: "service_settings.model_id",
      before: "rerank-v3",
      after: "rerank-v3.5",
      sensitive: false,
      forces_replace: "_update cannot change it before 9.2",
    },
  ],
  references: { pipelines: ["p1"], indexes: ["i1", "i2"] },
  warnings: ["in use: pipelines [p1] and indexes [i1, i2]; apply refuses to replace it unless --allow-in-use"],
});

const remove = endpoint({
  inference_id: "d-delete",
  action: "delete",
  service: "openai",
  task_type: "completion",
  reasons: ["removed from the declarations"],
  changes: [{ path: "service_settings.model_id", before: "gpt-4o", sensitive: false }],
  references: { pipelines: [], indexes: [] },
});

const same = (id: string) => endpoint({ inference_id: id, action: "no-op" });

const full = makePlan([create, update, replace, remove, same("e-same"), same("f-same")], {
  warnings: ["2 endpoints in the cluster are not managed by this stack and left alone: x, y"],
});
const unchanged = makePlan([same("a"), same("b"), same("c"), same("d"), same("e")]);

describe("summaryLine", () => {
  test("counts every action, Terraform-style", () => {
    expect(summaryLine(full)).toBe("Plan: 1 to create, 1 to update in place, 1 to replace, 1 to delete; 2 unchanged.");
  });
  test("no changes", () => {
    expect(summaryLine(unchanged)).toBe("No changes. The cluster matches the declarations (5 endpoints).");
    expect(summaryLine(makePlan([same("a")]))).toBe("No changes. The cluster matches the declarations (1 endpoint).");
  });
});

describe("renderHuman", () => {
  const text = renderHuman(full, { color: false });
  const lines = text.split("\n");

  test("header: stack, version, cluster URL without credentials", () => {
    const plan = makePlan([create], {
      cluster: { ...full.cluster, url: "https://elastic:hunter2@es.example.com:9200/?api_key=zzz", serverless: true },
    });
    const header = renderHuman(plan, { color: false }).split("\n")[0]!;
    expect(header).toBe(
      "Stack prod-search on Elasticsearch 9.1.0 (serverless) at https://es.example.com:9200, cluster prod-a",
    );
    expect(header).not.toMatch(/hunter2|zzz|elastic@/);
  });

  test("one block per changed endpoint, with symbol, action, id, service and task type", () => {
    expect(lines).toContain("  + create a-create (elasticsearch sparse_embedding)");
    expect(lines).toContain("  ~ update in place b-update (openai text_embedding)");
    expect(lines).toContain("-/+ replace c-replace (cohere rerank)");
    expect(lines).toContain("  - delete d-delete (openai completion)");
    expect(text).toContain("      # not in the cluster\n");
  });

  test("field lines: added, removed, changed, JSON-rendered", () => {
    expect(lines).toContain('      + service_settings.model_id = ".elser_model_2"');
    expect(lines).toContain("      + service_settings.num_threads = 1");
    expect(lines).toContain(
      '      + chunking_settings = {"strategy":"sentence","max_chunk_size":250,"sentence_overlap":1}',
    );
    expect(lines).toContain('      ~ task_settings.user = "alice" -> "bob"');
    expect(lines).toContain('      - task_settings.prompt = "line one\\nline two"'); // multi-line escaped
    expect(lines).toContain('      - service_settings.model_id = "gpt-4o"');
  });

  test("sensitive values print exactly (sensitive), never the value", () => {
    expect(lines).toContain("      + service_settings.api_key = (sensitive)");
    expect(lines).toContain("      ~ service_settings.api_key = (sensitive) -> (sensitive)");
    expect(text).not.toContain(CANARY);
  });

  test("forced replacement, references and warnings", () => {
    expect(lines).toContain(
      '      ~ service_settings.model_id = "rerank-v3" -> "rerank-v3.5"  # forces replacement: _update cannot change it before 9.2',
    );
    expect(lines).toContain("      # used by pipelines [p1] and indexes [i1, i2]");
    expect(lines).toContain("      # not used by any pipeline or index");
    expect(lines).toContain("      Warning: service_settings.organization_id: not verified");
  });

  test("no-op endpoints are counted, not listed; summary then stack-wide warnings at the end", () => {
    expect(text).not.toContain("e-same");
    expect(lines.slice(-4)).toEqual([
      "Plan: 1 to create, 1 to update in place, 1 to replace, 1 to delete; 2 unchanged.",
      "",
      "Warning: 2 endpoints in the cluster are not managed by this stack and left alone: x, y",
      "",
    ]);
  });

  test("warnings of unchanged endpoints are shown after the stack-wide ones, with the endpoint's id", () => {
    const quiet = { ...same("e-same"), warnings: ["service_settings.api_key: cannot check for rotation: unset"] };
    const out = renderHuman(makePlan([create, quiet], { warnings: ["stack-wide"] }), { color: false });
    expect(out.split("\n").slice(-4)).toEqual([
      "",
      "Warning: stack-wide",
      "Warning: e-same: service_settings.api_key: cannot check for rotation: unset",
      "",
    ]);
    expect(out).not.toContain("no changes e-same"); // still no block of its own
  });

  test("no changes", () => {
    expect(renderHuman(unchanged, { color: false })).toBe(
      "Stack prod-search on Elasticsearch 9.1.0 at https://es.example.com:9200, cluster prod-a\n\n" +
        "No changes. The cluster matches the declarations (5 endpoints).\n",
    );
  });

  test("colors only when asked: no ANSI escape with color false", () => {
    expect(text).not.toMatch(ANSI);
    expect(renderHuman(unchanged, { color: false })).not.toMatch(ANSI);
    const colored = renderHuman(full, { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored).toContain("\u001b[32m  + create\u001b[39m"); // green create
    expect(colored).toContain("\u001b[31m  - delete\u001b[39m"); // red delete
    expect(colored).toContain("\u001b[35m-/+ replace\u001b[39m"); // magenta replace
    expect(colored.replace(/\u001b\[\d+m/g, "")).toBe(text); // same text under the colors
  });

  test("server-provided text cannot inject terminal escapes or break lines", () => {
    const plan = makePlan([
      {
        ...remove,
        warnings: ["evil \u001b[2J\nsecond line"],
        changes: [{ path: "x", before: "a\u001b[31m", sensitive: false }],
      },
    ]);
    const out = renderHuman(plan, { color: false });
    expect(out).not.toMatch(ANSI);
    expect(out).toContain("Warning: evil \\u001b[2J second line");
    expect(out).toContain('- x = "a\\u001b[31m"');
  });
});

describe("formatValue", () => {
  test("compact JSON", () => {
    expect(formatValue("x")).toBe('"x"');
    expect(formatValue(3)).toBe("3");
    expect(formatValue(null)).toBe("null");
    expect(formatValue([1, "a"])).toBe('[1,"a"]');
    expect(formatValue({ a: { b: true } })).toBe('{"a":{"b":true}}');
  });
  test("long values are cut with their length noted", () => {
    const long = "y".repeat(500);
    const s = formatValue(long, 40);
    expect(s).toBe(`"${"y".repeat(38)}…" (500 chars)`);
    const obj = formatValue({ separators: Array.from({ length: 50 }, (_, i) => `sep-${i}`) }, 40);
    expect(obj).toMatch(/^\{"separators":\["sep-0",.*… \(\d+ chars\)$/);
    expect(Array.from(obj.split("…")[0]!).length).toBe(39);
  });
  test("never throws on values JSON cannot express", () => {
    expect(formatValue(10n)).toBe("10");
  });
});

describe("renderMarkdown", () => {
  const md = renderMarkdown(full);

  test("heading, summary line and table of the changed endpoints", () => {
    expect(md.startsWith("### esinfer plan: stack `prod-search`\n")).toBe(true);
    expect(md).toContain("**Plan: 1 to create, 1 to update in place, 1 to replace, 1 to delete; 2 unchanged.**");
    expect(md).toContain("| Action | Endpoint | Service / task type | Fields changed |");
    expect(md).toContain("| 🟢 create | `a-create` | elasticsearch / sparse\\_embedding | 4 fields (new) |");
    expect(md).toContain(
      "| 🟡 update in place | `b-update` | openai / text\\_embedding | `service_settings.api_key`, `task_settings.user`, `task_settings.prompt` |",
    );
    expect(md).toContain("| 🟣 replace | `c-replace` | cohere / rerank | `service_settings.model_id` |");
    expect(md).toContain("| 🔴 delete | `d-delete` | openai / completion | all (endpoint removed) |");
    expect(md).not.toContain("e-same");
  });

  test("a <details> per changed endpoint with a diff block", () => {
    expect(md.match(/<details>/g)).toHaveLength(4);
    expect(md).toContain(
      "<summary>🟡 <b>update in place</b> <code>b-update</code> (openai text_embedding)</summary>\n\n" +
        "- 3 fields differ; \\_update applies all of them\n\n" +
        "```diff\n" +
        "- service_settings.api_key = (sensitive)\n" +
        "+ service_settings.api_key = (sensitive)\n" +
        '- task_settings.user = "alice"\n' +
        '+ task_settings.user = "bob"\n' +
        '- task_settings.prompt = "line one\\nline two"\n' +
        "```\n",
    );
    expect(md).toContain('+ service_settings.model_id = "rerank-v3.5"  # forces replacement\n');
  });

  test("notes for forced replacements, references and warnings", () => {
    expect(md).toContain(
      "> **Forces replacement:** `service_settings.model_id`: \\_update cannot change it before 9.2",
    );
    expect(md).toContain("> **Used by** pipelines `p1` and indexes `i1`, `i2`");
    expect(md).toContain("> Not used by any pipeline or index.");
    expect(md).toContain("> ⚠️ **Warning:** service\\_settings.organization\\_id: not verified");
    expect(md).toContain(
      "> ⚠️ **Warning:** 2 endpoints in the cluster are not managed by this stack and left alone: x, y",
    );
  });

  test("warnings of unchanged endpoints are not lost", () => {
    const quiet = { ...same("e-same"), warnings: ["service_settings.api_key: not verified"] };
    const out = renderMarkdown(makePlan([quiet]));
    expect(out).toContain("> ⚠️ **Warning:** e-same: service\\_settings.api\\_key: not verified");
  });

  test("no secret beyond (sensitive)", () => {
    expect(md).toContain("+ service_settings.api_key = (sensitive)");
    expect(md).not.toContain(CANARY);
  });

  test("escapes | and backticks in table cells, code spans and fenced blocks", () => {
    const tricky = endpoint({
      inference_id: "x|y",
      action: "update",
      service: "a|b",
      changes: [
        { path: "task_settings.`odd|key`", before: "a|b", after: "```\nbreakout", sensitive: false },
        { path: "task_settings.fence", after: "````", sensitive: false },
      ],
      warnings: ["use `x` | *y* <script>"],
    });
    const out = renderMarkdown(makePlan([tricky]));
    const row = out.split("\n").find((l) => l.startsWith("| 🟡"))!;
    // Exactly 5 unescaped pipes: the 4 cells' borders
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(5);
    expect(row).toContain("`x\\|y`");
    expect(row).toContain("a\\|b / rerank");
    expect(row).toContain("``task_settings.`odd\\|key` ``".replace("``task", "`` task")); // fence longer than content
    // the diff fence is longer than any backtick run inside, and raw newlines stay escaped
    expect(out).toContain("`````diff\n");
    expect(out).toContain('+ task_settings.`odd|key` = "```\\nbreakout"\n');
    expect(out).toContain("<summary>🟡 <b>update in place</b> <code>x|y</code>");
    expect(out).toContain("> ⚠️ **Warning:** use \\`x\\` \\| \\*y\\* \\<script\\>");
    expect(out).not.toContain("<script>");
  });

  test("no changes", () => {
    const out = renderMarkdown(unchanged);
    expect(out).toContain("**No changes. The cluster matches the declarations (5 endpoints).**");
    expect(out).not.toContain("<details>");
    expect(out).not.toContain("| Action |");
  });

  test("stays under the comment size limit, saying what it left out", () => {
    const many = makePlan(
      Array.from({ length: 300 }, (_, i) =>
        endpoint({
          inference_id: `ep-${String(i).padStart(3, "0")}`,
          action: "create",
          changes: [{ path: "service_settings.model_id", after: "m".repeat(100), sensitive: false }],
        }),
      ),
    );
    const out = renderMarkdown(many, { maxLength: 20_000 });
    expect(out.length).toBeLessThanOrEqual(20_000);
    expect(out).toMatch(/_Details of \d+ endpoints left out/);
    expect(renderMarkdown(many).length).toBeLessThanOrEqual(60_000);
  });
});

describe("renderJson", () => {
  test("the plan document, with format_version first and a trailing newline", () => {
    const json = renderJson(full);
    expect(json.startsWith('{\n  "format_version": "1.0",\n  "esinfer_version": "0.1.0",')).toBe(true);
    expect(json.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(json) as Plan;
    expect(parsed.format_version).toBe("1.0");
    expect(parsed.endpoints.map((e) => e.action)).toEqual(["create", "update", "replace", "delete", "no-op", "no-op"]);
    expect(parsed.endpoints[0]!.declared?.service_settings).toEqual({
      api_key: { env: "ES_KEY" },
      model_id: ".elser_model_2",
      num_threads: 1,
    });
    expect(parsed.endpoints[0]!.secret_fingerprints).toEqual({ "service_settings.api_key": "hmac-sha256:abc" });
  });

  test("stable: same plan, same text, whatever the key order it was built with", () => {
    const reordered = JSON.parse(JSON.stringify(full), (_k, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).reverse())
        : v,
    ) as Plan;
    expect(Object.keys(reordered)[0]).toBe("basis");
    expect(renderJson(reordered)).toBe(renderJson(full));
    expect(renderJson(full)).toBe(renderJson(full));
    expect(renderJson(JSON.parse(renderJson(full)) as Plan)).toBe(renderJson(full)); // round trip
  });

  test("schema order for known fields, sorted keys for free-form values, unknown fields kept after", () => {
    const doc = planDocument({ ...full, zz_new: 1, aa_new: 2 } as Plan) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      "format_version",
      "esinfer_version",
      "created_at",
      "stack",
      "cluster",
      "summary",
      "endpoints",
      "warnings",
      "basis",
      "aa_new",
      "zz_new",
    ]);
    const e = (doc.endpoints as Record<string, unknown>[])[2]!;
    expect(Object.keys(e)).toEqual([
      "inference_id",
      "action",
      "task_type",
      "service",
      "reasons",
      "changes",
      "references",
      "warnings",
    ]);
    expect(Object.keys((e.changes as object[])[0]!)).toEqual([
      "path",
      "before",
      "after",
      "sensitive",
      "forces_replace",
    ]);
    expect(Object.keys(doc.summary as object)).toEqual(["create", "update", "replace", "delete", "no-op"]);
    const chunking = ((doc.endpoints as Record<string, unknown>[])[0]!.changes as { after: object }[])[3]!.after;
    expect(Object.keys(chunking)).toEqual(["max_chunk_size", "sentence_overlap", "strategy"]);
  });

  test("a partial plan's scope comes last, in schema order", () => {
    const doc = planDocument({ ...full, scope: { except: ["b"], only: ["a"] } } as Plan) as Record<string, unknown>;
    expect(Object.keys(doc).slice(-2)).toEqual(["basis", "scope"]);
    expect(Object.keys(doc.scope as object)).toEqual(["only", "except"]);
  });

  test("documentedFields lists the schema as paths, objects in lists marked []", () => {
    const fields = documentedFields();
    expect(fields.slice(0, 6)).toEqual([
      "format_version",
      "esinfer_version",
      "created_at",
      "stack",
      "cluster",
      "cluster.url",
    ]);
    expect(fields).toContain("endpoints");
    expect(fields).toContain("endpoints[].changes[].forces_replace");
    expect(fields).toContain("endpoints[].references.indexes");
    expect(fields).toContain("summary.no-op");
    // every top-level key of a rendered plan is a documented field
    for (const key of Object.keys(planDocument(full) as object)) expect(fields).toContain(key);
  });

  test("secrets: sensitive changes say (sensitive), the URL loses credentials", () => {
    const json = renderJson(
      makePlan([create], { cluster: { ...full.cluster, url: "https://elastic:hunter2@es.example.com:9200" } }),
    );
    expect(json).not.toContain(CANARY);
    expect(json).not.toContain("hunter2");
    expect(json).toContain('"after": "(sensitive)"');
    expect(json).toContain('"url": "https://es.example.com:9200"');
  });
});

test("safeUrl", () => {
  expect(safeUrl("https://u:p@h:9200/base/?x=1#f")).toBe("https://h:9200/base");
  expect(safeUrl("http://localhost:9200")).toBe("http://localhost:9200");
  expect(safeUrl("not a url user:pw@host")).toBe("not a url user:pw@host");
  expect(safeUrl("//user:pw@host/x?key=1")).toBe("//host/x");
});
