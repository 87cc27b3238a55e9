/**
 * Generates, from the catalogue, what editors and readers see of every service and task type:
 * - `lib/model/generated/declarations.ts`: the camelCase declaration types (`InferenceEndpoint` props,
 *   `defineEndpoint`), each setting documented for hovers: description, whether it is required, its default and
 *   allowed values, the Elasticsearch version that added it, and whether a change is applied in place by `_update`
 *   or forces a replace;
 * - `docs/services/*.md`: one reference page per service with the same facts, and an index.
 *
 * Run `npx tsx scripts/generate-catalogue-docs.ts` after changing the catalogue (`--check` only compares). A test
 * (test/model/generated.test.ts) fails while the files are out of date.
 */
import { mkdirSync, readFileSync, rmSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { format } from "prettier";
import { z } from "zod";
import {
  BEHAVIORS,
  CHUNKING_SCHEMAS,
  CHUNKING_STRATEGIES,
  MIN_SUPPORTED_VERSION,
  SERVICE_NAMES,
  STRATEGY_FACTS,
  formatSince,
  getService,
  getTaskSpec,
  infoOf,
  isAtLeast,
  taskSince,
  taskTypesOf,
  updatableSince,
  type ChunkingStrategy,
  type Since,
  type TaskSpec,
} from "../lib/catalogue";
import { camelCase, shapeOf, unwrap } from "../lib/model/schema-walk";
import { describeSchema } from "../lib/model/validate/context";

const ROOT = resolve(__dirname, "..");
export const DECLARATIONS_FILE = "lib/model/generated/declarations.ts";
export const DOCS_DIR = "docs/services";
export const REGENERATE = "npx tsx scripts/generate-catalogue-docs.ts";

/** One generated file: its path from the repository root and its text. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

type Scope = "service_settings" | "task_settings" | "chunking_settings";

/** A field of a settings object, with the facts shown in hovers and docs. */
interface Field {
  readonly key: string;
  readonly schema: z.ZodType;
  readonly required: boolean;
  readonly description?: string;
  readonly allowed?: string;
  readonly defaultValue?: string;
  readonly since: string;
  /** Short: "in place", "in place from 9.1.0", "replace". */
  readonly change: string;
  /** One sentence: why. */
  readonly changeDetail: string;
  readonly secret: boolean;
  readonly deprecated?: string;
  readonly serverOnly: boolean;
  readonly path: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Facts

const pascal = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("");

/** The type-name prefix of a service: its display name without spaces (`OpenAI`, `GoogleVertexAI`). */
const serviceTypeName = (service: string) => pascal(getService(service)!.displayName);

const typeNameOf = (service: string, taskType: string) => `${serviceTypeName(service)}${pascal(taskType)}`;

const version = (since: Since) => `Elasticsearch ${formatSince(since)}`;

/** Whether every supported version has it (so no version needs naming). */
const always = (since: Since) => isAtLeast(MIN_SUPPORTED_VERSION, since);

/** Whether `_update` applies a change of this field, from the catalogue's registry of server behavior. */
function changeOf(service: string, taskType: string, scope: Scope, key: string, secret: boolean) {
  if (scope === "task_settings")
    return {
      change: "in place",
      detail: "applied in place: `_update` merges task settings; removing it forces a replace.",
    };
  if (scope === "chunking_settings") {
    const since = BEHAVIORS["update.chunking_settings"].since;
    return {
      change: `in place from ${formatSince(since)}`,
      detail: `applied in place by \`_update\` from ${version(since)}; forces a replace before.`,
    };
  }
  if (secret)
    return {
      change: "in place",
      detail: "applied in place: `_update` replaces secrets; removing it forces a replace.",
    };
  const since = updatableSince(service, taskType, key);
  if (since === undefined)
    return {
      change: "replace",
      detail: "forces a replace (delete and re-create): `_update` does not change it.",
    };
  return always(since)
    ? { change: "in place", detail: "applied in place by `_update`." }
    : {
        change: `in place from ${formatSince(since)}`,
        detail: `applied in place by \`_update\` from ${version(since)}; forces a replace before.`,
      };
}

function defaultOf(schema: z.ZodType): string | undefined {
  const serverDefault = infoOf(schema).serverDefault;
  if (serverDefault === undefined) return undefined;
  if (serverDefault === "computed") return "set by Elasticsearch when not declared";
  return `\`${JSON.stringify(camelizeValue(serverDefault))}\`, stored by Elasticsearch when not declared`;
}

/** A JSON default in camelCase, as a declaration writes it. */
function camelizeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeValue);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [camelCase(k), camelizeValue(v)]));
}

function fieldsOf(
  service: string,
  taskType: string,
  scope: Scope,
  schema: z.ZodType,
  inherited?: { since: string; change: ReturnType<typeof changeOf>; prefix: string },
): Field[] {
  const shape = shapeOf(schema) ?? {};
  const taskFirst = taskSince(service, taskType) ?? MIN_SUPPORTED_VERSION;
  return Object.entries(shape).map(([key, field]) => {
    const info = infoOf(field);
    const secret = info.secret === true;
    const change = inherited?.change ?? changeOf(service, taskType, scope, key, secret);
    const allowed =
      unwrap(field) instanceof z.ZodObject ? undefined : describeSchema(field, () => "a secret reference");
    return {
      key,
      schema: field,
      required: !field.safeParse(undefined).success,
      ...(info.description ? { description: info.description } : {}),
      ...(allowed && !secret ? { allowed } : {}),
      ...(defaultOf(field) ? { defaultValue: defaultOf(field) } : {}),
      since: info.since ? formatSince(info.since) : (inherited?.since ?? formatSince(taskFirst)),
      change: change.change,
      changeDetail: change.detail,
      secret,
      ...(info.deprecated ? { deprecated: info.deprecated } : {}),
      serverOnly: info.serverOnly === true,
      path: `${inherited?.prefix ?? scope}.${key}`,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// TypeScript

const doc = (lines: readonly string[], indent: string): string => {
  const body = lines.flatMap((l) => l.split("\n"));
  return `${indent}/**\n${body.map((l) => `${indent} *${l ? ` ${l.replace(/\*\//g, "*\\/")}` : ""}`).join("\n")}\n${indent} */\n`;
};

function fieldDoc(f: Field, taskTypeSince: string): string[] {
  const lines: string[] = [];
  if (f.description) lines.push(f.description, "");
  lines.push(`- ${f.required ? "Required" : "Optional"}.`);
  if (f.allowed) lines.push(`- Allowed: ${f.allowed}.`);
  if (f.defaultValue) lines.push(`- Default: ${f.defaultValue}.`);
  if (f.secret)
    lines.push(
      '- Secret: declare a reference, `secret.env("NAME")` or `secret.file(path)`, never the value. Elasticsearch never returns it.',
    );
  lines.push(
    f.since === taskTypeSince
      ? `- Since: Elasticsearch ${f.since}, with the task type.`
      : `- Since: Elasticsearch ${f.since} (the task type: ${taskTypeSince}).`,
  );
  lines.push(`- On change: ${f.changeDetail}`);
  if (f.serverOnly) lines.push("- Accepted by Elasticsearch although its API specification leaves it out.");
  lines.push(`- Request field: \`${f.path}\`.`);
  if (f.deprecated) lines.push(`@deprecated ${f.deprecated}`);
  return lines;
}

/** The TypeScript type of a field's value (camelCase keys; free-form maps keep theirs). */
function typeOf(
  schema: z.ZodType,
  indent: string,
  ctx: { service: string; taskType: string; scope: Scope; prefix: string; field?: Field },
): string {
  const info = infoOf(schema);
  const s = unwrap(schema)!;
  if (info.secret) return s instanceof z.ZodRecord ? "{ [name: string]: SecretReference }" : "SecretReference";
  if (s instanceof z.ZodString) return "string";
  if (s instanceof z.ZodNumber) return "number";
  if (s instanceof z.ZodBoolean) return "boolean";
  if (s instanceof z.ZodEnum) return (s.options as readonly unknown[]).map((o) => JSON.stringify(o)).join(" | ");
  if (s instanceof z.ZodLiteral) return JSON.stringify(s.value);
  if (s instanceof z.ZodArray) {
    const element = typeOf(s.element as z.ZodType, indent, ctx);
    return element.includes("|") ? `(${element})[]` : `${element}[]`;
  }
  if (s instanceof z.ZodTuple) return `[${s.def.items.map((i) => typeOf(i as z.ZodType, indent, ctx)).join(", ")}]`;
  if (s instanceof z.ZodRecord) return `{ [key: string]: ${typeOf(s.valueType as z.ZodType, indent, ctx)} }`;
  if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).map((o) => typeOf(o, indent, ctx)).join(" | ");
  if (s instanceof z.ZodObject) {
    const parent = ctx.field;
    const fields = fieldsOf(
      ctx.service,
      ctx.taskType,
      ctx.scope,
      s,
      parent && {
        since: parent.since,
        change: { change: parent.change, detail: parent.changeDetail },
        prefix: ctx.prefix,
      },
    );
    return objectType(fields, indent, ctx);
  }
  throw new Error(`${ctx.prefix}: no TypeScript type for a ${s.constructor.name} in the catalogue; extend typeOf()`);
}

function objectType(
  fields: readonly Field[],
  indent: string,
  ctx: { service: string; taskType: string; scope: Scope },
): string {
  if (fields.length === 0) return "{}";
  const inner = `${indent}  `;
  const taskTypeSince = formatSince(taskSince(ctx.service, ctx.taskType) ?? MIN_SUPPORTED_VERSION);
  const members = fields.map(
    (f) =>
      doc(fieldDoc(f, taskTypeSince), inner) +
      `${inner}${camelCase(f.key)}${f.required ? "" : "?"}: ${typeOf(f.schema, inner, { ...ctx, prefix: f.path, field: f })};\n`,
  );
  return `{\n${members.join("")}${indent}}`;
}

function settingsInterface(
  name: string,
  summary: string[],
  fields: readonly Field[],
  ctx: { service: string; taskType: string; scope: Scope },
): string {
  return `${doc(summary, "")}export interface ${name} ${objectType(fields, "", ctx)}\n`;
}

function chunkingTypes(): string {
  const out: string[] = [];
  const names: string[] = [];
  for (const strategy of CHUNKING_STRATEGIES) {
    const name = `${pascal(strategy)}ChunkingSettings`;
    names.push(name);
    const facts = STRATEGY_FACTS[strategy as ChunkingStrategy];
    const fields = fieldsOf("", "", "chunking_settings", CHUNKING_SCHEMAS[strategy]).map((f) => ({
      ...f,
      since: formatSince(facts.since),
    }));
    const members = fields.map(
      (f) =>
        doc(
          [
            `- ${f.required ? "Required" : "Optional"}.`,
            ...(f.allowed ? [`- Allowed: ${f.allowed}.`] : []),
            `- Request field: \`chunking_settings.${f.key}\`.`,
          ],
          "  ",
        ) +
        `  ${camelCase(f.key)}${f.required ? "" : "?"}: ${typeOf(f.schema, "  ", { service: "", taskType: "", scope: "chunking_settings", prefix: f.path })};\n`,
    );
    out.push(
      doc(
        [
          `Chunking with the \`${strategy}\` strategy: ${CHUNKING_SUMMARY[strategy as ChunkingStrategy]}`,
          "",
          `- Since: ${version(facts.since)}.`,
          `- On change: ${changeOf("", "", "chunking_settings", "", false).detail}`,
        ],
        "",
      ) + `export interface ${name} {\n${members.join("")}}\n`,
    );
  }
  out.push(
    doc(["`chunkingSettings` of an endpoint whose task type chunks its input, by strategy."], "") +
      `export type ChunkingSettingsDeclaration = ${names.join(" | ")};\n`,
  );
  return out.join("\n");
}

const CHUNKING_SUMMARY: Readonly<Record<ChunkingStrategy, string>> = {
  sentence: "chunks of whole sentences up to `maxChunkSize` words, overlapping by `sentenceOverlap` sentences.",
  word: "chunks of `maxChunkSize` words, overlapping by `overlap` words.",
  recursive: "splits on a list of separators (or a named group of them) until chunks fit `maxChunkSize` words.",
  none: "the input is not split.",
};

function declarationsFile(): string {
  const parts: string[] = [];
  const byService: string[] = [];
  const union: string[] = [];
  for (const service of SERVICE_NAMES) {
    const spec = getService(service)!;
    const tasks: string[] = [];
    for (const taskType of taskTypesOf(service)) {
      const task = getTaskSpec(service, taskType)!;
      const base = typeNameOf(service, taskType);
      const since = formatSince(taskSince(service, taskType)!);
      const ctx = (scope: Scope) => ({ service, taskType, scope });
      const label = `${spec.displayName} \`${taskType}\``;
      const serviceFields = fieldsOf(service, taskType, "service_settings", task.serviceSettings);
      const taskFields = fieldsOf(service, taskType, "task_settings", task.taskSettings);
      parts.push(
        settingsInterface(
          `${base}ServiceSettings`,
          [`\`serviceSettings\` of ${label} endpoints (\`service_settings\` in requests).`, ...rulesDoc(task)],
          serviceFields,
          ctx("service_settings"),
        ),
      );
      const taskSettingsType = taskFields.length
        ? `${base}TaskSettings`
        : `NoTaskSettings<${JSON.stringify(service)}, ${JSON.stringify(taskType)}>`;
      if (taskFields.length)
        parts.push(
          settingsInterface(
            `${base}TaskSettings`,
            [`\`taskSettings\` of ${label} endpoints (\`task_settings\` in requests).`],
            taskFields,
            ctx("task_settings"),
          ),
        );
      const taskRequired = taskFields.some((f) => f.required);
      const chunking = task.chunking
        ? "ChunkingSettingsDeclaration"
        : `NoChunkingSettings<${JSON.stringify(service)}, ${JSON.stringify(taskType)}>`;
      parts.push(
        doc(
          [
            `An endpoint of the ${label} task type (Elasticsearch ${since} and later).`,
            ...(spec.deprecated ? ["", `@deprecated ${spec.deprecated}`] : []),
          ],
          "",
        ) +
          `export interface ${base}Declaration {\n` +
          doc(
            [
              "The endpoint's id: lowercase letters, digits, `_`, `-` and `.`, starting and ending with a letter or digit.",
              "",
              "- On change: a different endpoint (the old one is deleted when no longer declared).",
            ],
            "  ",
          ) +
          `  inferenceId: string;\n` +
          doc(
            [
              `The service: ${spec.displayName} (Elasticsearch ${formatSince(spec.since)} and later).`,
              "",
              "- On change: forces a replace.",
            ],
            "  ",
          ) +
          `  service: ${JSON.stringify(service)};\n` +
          doc(
            [
              `The task type (with ${spec.displayName}: Elasticsearch ${since} and later).`,
              "",
              "- On change: forces a replace.",
            ],
            "  ",
          ) +
          `  taskType: ${JSON.stringify(taskType)};\n` +
          doc([`The service settings of ${label} endpoints.`], "  ") +
          `  serviceSettings: ${base}ServiceSettings;\n` +
          doc(
            [
              taskFields.length
                ? `Task settings: defaults for every inference request of the endpoint.${taskRequired ? " Required: some are." : ""}`
                : `${label} endpoints take no task settings.`,
            ],
            "  ",
          ) +
          `  taskSettings${taskRequired ? "" : "?"}: ${taskSettingsType};\n` +
          doc(
            task.chunking
              ? [
                  "How the input is split into chunks before embedding. Default: Elasticsearch's, `sentence` with 250 words and an overlap of 1.",
                  "",
                  `- On change: ${changeOf(service, taskType, "chunking_settings", "", false).detail}`,
                ]
              : [`${label} endpoints take no chunking settings (Elasticsearch rejects them).`],
            "  ",
          ) +
          `  chunkingSettings?: ${chunking};\n}\n`,
      );
      tasks.push(`    ${JSON.stringify(taskType)}: ${base}Declaration;\n`);
      union.push(`${base}Declaration`);
    }
    byService.push(`  ${JSON.stringify(service)}: {\n${tasks.join("")}  };\n`);
  }
  return [
    `// Generated by scripts/generate-catalogue-docs.ts from the catalogue: do not edit. Regenerate: ${REGENERATE}`,
    "/* eslint-disable */",
    "",
    doc(
      [
        'A secret declared by reference, resolved only when a request is sent: `secret.env(NAME)` (`{"env": NAME}` in',
        'JSON) or `secret.file(PATH)` (`{"file": PATH}`). The catalogue\'s `SecretRef`, with a name editors show.',
      ],
      "",
    ) +
      "export type SecretReference = EnvSecretReference | FileSecretReference;\n" +
      doc(["The value of an environment variable."], "") +
      "export interface EnvSecretReference {\n  readonly env: string;\n}\n" +
      doc(["The contents of a file (one trailing newline removed), at most 64 KiB of UTF-8."], "") +
      "export interface FileSecretReference {\n  readonly file: string;\n}\n",
    doc(
      [
        "Task settings of a task type that has none: any key is an error naming the service and task type, and `{}` is fine.",
      ],
      "",
    ) +
      "export type NoTaskSettings<S extends string, T extends string> = {\n  readonly [K in `${S} ${T} endpoints take no task settings`]?: never;\n};\n",
    doc(
      ["Chunking settings of a task type that does not chunk: any value is an error naming the service and task type."],
      "",
    ) +
      "export type NoChunkingSettings<S extends string, T extends string> = {\n  readonly [K in `${S} ${T} endpoints take no chunking settings`]: never;\n};\n",
    chunkingTypes(),
    ...parts,
    doc(["Every declaration type, by service and task type."], "") +
      `export interface DeclarationsByService {\n${byService.join("")}}\n`,
    doc(
      [
        "Not an endpoint: no value has this type. It keeps the union's members apart, so that TypeScript matches a",
        "declaration on `service` and `taskType` first and reports a misspelt or misplaced setting against that service",
        "and task type's settings, instead of against the union of every service's settings.",
      ],
      "",
    ) + "export interface NoEndpoint {\n  inferenceId: never;\n  service: never;\n  taskType: never;\n}\n",
    doc(
      [
        "Any endpoint declaration (camelCase), discriminated by `service` then `taskType`. A misspelt or misplaced",
        "setting is a compile error that names the chosen service and task type's settings type",
        "(`OpenAITextEmbeddingServiceSettings`). Read `serviceSettings` after narrowing on `service` and `taskType`",
        "(`NoEndpoint`, a member no value has, keeps TypeScript's error messages on the chosen service).",
      ],
      "",
    ) + `export type EndpointDeclaration =\n  | ${[...union, "NoEndpoint"].join("\n  | ")};\n`,
  ].join("\n");
}

function rulesDoc(task: TaskSpec): string[] {
  return task.rules.length ? ["", ...task.rules.map((r) => `- Rule: ${r.description}.`)] : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Markdown

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function typeInWords(f: Field): string {
  if (f.secret) return "secret reference";
  const s = unwrap(f.schema);
  if (s instanceof z.ZodObject) return "object";
  return f.allowed ?? "see description";
}

function settingsTable(fields: readonly Field[], nested = false): string[] {
  const rows: string[] = [];
  const walk = (list: readonly Field[], prefix: string) => {
    for (const f of list) {
      const name = `${prefix}${camelCase(f.key)}`;
      rows.push(
        `| \`${name}\` (\`${f.path.slice(f.path.indexOf(".") + 1)}\`) | ${cell(typeInWords(f))} | ${f.required ? "yes" : "no"} | ${cell(f.defaultValue ?? "")} | ${f.since} | ${f.change} | ${cell([f.description ?? "", f.deprecated ? `Deprecated: ${f.deprecated}` : "", f.serverOnly ? "(server only)" : ""].filter(Boolean).join(" "))} |`,
      );
      const s = unwrap(f.schema);
      if (s instanceof z.ZodObject && !f.secret)
        walk(
          fieldsOf("", "", "service_settings", s, {
            since: f.since,
            change: { change: f.change, detail: f.changeDetail },
            prefix: f.path,
          }),
          `${name}.`,
        );
    }
  };
  walk(fields, "");
  if (rows.length === 0) return [nested ? "None." : "None."];
  return [
    "| Setting (request field) | Accepts | Required | Default | Since | On change | Description |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ];
}

function servicePage(service: string): string {
  const spec = getService(service)!;
  const lines = [
    `<!-- Generated by scripts/generate-catalogue-docs.ts from the catalogue: do not edit. Regenerate: ${REGENERATE} -->`,
    `# ${spec.displayName} (\`${service}\`)`,
    "",
    `Since Elasticsearch ${formatSince(spec.since)}.${spec.deprecated ? ` **Deprecated**: ${spec.deprecated}` : ""}`,
    "",
    ...(spec.notes?.length ? [...spec.notes.map((n) => `- ${n}`), ""] : []),
    "| Task type | Since | Chunking | Type of its declaration |",
    "|---|---|---|---|",
    ...taskTypesOf(service).map(
      (t) =>
        `| [\`${t}\`](#${t}) | ${formatSince(taskSince(service, t)!)} | ${getTaskSpec(service, t)!.chunking ? "yes" : "no"} | \`${typeNameOf(service, t)}Declaration\` |`,
    ),
    "",
    "**On change**: `in place` means `_update` applies the change, `replace` that the endpoint is deleted and",
    "re-created (which interrupts `semantic_text` fields using it); a version means in place from that version,",
    "replaced before. Removing a secret or a task setting always forces a replace.",
  ];
  for (const taskType of taskTypesOf(service)) {
    const task = getTaskSpec(service, taskType)!;
    lines.push(
      "",
      `## ${taskType}`,
      "",
      `Since Elasticsearch ${formatSince(taskSince(service, taskType)!)}.${task.serverOnly ? " Accepted by Elasticsearch although its API specification leaves it out." : ""}`,
      ...(task.rules.length ? ["", ...task.rules.map((r) => `- Rule: ${r.description}.`)] : []),
      "",
      "### Service settings",
      "",
      ...settingsTable(fieldsOf(service, taskType, "service_settings", task.serviceSettings)),
      "",
      "### Task settings",
      "",
      ...settingsTable(fieldsOf(service, taskType, "task_settings", task.taskSettings), true),
      "",
      "### Chunking settings",
      "",
      task.chunking
        ? `Accepted: \`sentence\`, \`word\`, \`recursive\` and \`none\` strategies (see [the index](README.md#chunking)). On change: ${changeOf(service, taskType, "chunking_settings", "", false).change}.`
        : "Not accepted: Elasticsearch rejects chunking settings for this task type.",
    );
  }
  return lines.join("\n") + "\n";
}

function indexPage(): string {
  const lines = [
    `<!-- Generated by scripts/generate-catalogue-docs.ts from the catalogue: do not edit. Regenerate: ${REGENERATE} -->`,
    "# Services",
    "",
    "Every Elasticsearch inference service esinfer knows, with its task types and settings. The same facts appear",
    "when hovering over a setting of `InferenceEndpoint` props or `defineEndpoint` in an editor.",
    "",
    "| Service | Since | Task types |",
    "|---|---|---|",
    ...SERVICE_NAMES.map((s) => {
      const spec = getService(s)!;
      return `| [${spec.displayName}](${s}.md) (\`${s}\`) | ${formatSince(spec.since)}${spec.deprecated ? " (deprecated)" : ""} | ${taskTypesOf(s).join(", ")} |`;
    }),
    "",
    "## Chunking",
    "",
    "`chunkingSettings` of the task types that chunk their input, by strategy:",
    "",
    "| Strategy | Since | Settings |",
    "|---|---|---|",
    ...CHUNKING_STRATEGIES.map((s) => {
      const facts = STRATEGY_FACTS[s as ChunkingStrategy];
      const fields = fieldsOf("", "", "chunking_settings", CHUNKING_SCHEMAS[s]).filter((f) => f.key !== "strategy");
      return `| \`${s}\` | ${formatSince(facts.since)} | ${cell(fields.map((f) => `\`${camelCase(f.key)}\`${f.required ? " (required)" : ""}: ${f.allowed ?? ""}`).join("; ") || "none")} |`;
    }),
    "",
    `On change: chunking settings are ${changeOf("", "", "chunking_settings", "", false).detail}`,
  ];
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------------------------

/** Every generated file, formatted as the repository formats it. */
export async function generateCatalogueFiles(): Promise<GeneratedFile[]> {
  const config = JSON.parse(readFileSync(join(ROOT, ".prettierrc.json"), "utf8")) as object;
  return [
    { path: DECLARATIONS_FILE, content: await format(declarationsFile(), { ...config, parser: "typescript" }) },
    { path: `${DOCS_DIR}/README.md`, content: indexPage() },
    ...SERVICE_NAMES.map((s) => ({ path: `${DOCS_DIR}/${s}.md`, content: servicePage(s) })),
  ];
}

/** Generated files whose text on disk differs from what the catalogue gives (missing and stale pages included). */
export async function outOfDate(root = ROOT): Promise<string[]> {
  const files = await generateCatalogueFiles();
  const stale = files.filter((f) => {
    try {
      return readFileSync(join(root, f.path), "utf8") !== f.content;
    } catch {
      return true;
    }
  });
  const expected = new Set(files.map((f) => f.path));
  const extra = readdirSync(join(root, DOCS_DIR))
    .map((name) => `${DOCS_DIR}/${name}`)
    .filter((path) => !expected.has(path));
  return [...stale.map((f) => f.path), ...extra];
}

async function main(): Promise<void> {
  if (process.argv.includes("--check")) {
    const stale = await outOfDate();
    if (stale.length) {
      process.stderr.write(`out of date: ${stale.join(", ")}\nRegenerate: ${REGENERATE}\n`);
      process.exitCode = 1;
    }
    return;
  }
  rmSync(join(ROOT, DOCS_DIR), { recursive: true, force: true });
  for (const file of await generateCatalogueFiles()) {
    mkdirSync(dirname(join(ROOT, file.path)), { recursive: true });
    writeFileSync(join(ROOT, file.path), file.content);
  }
}

if (require.main === module)
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
