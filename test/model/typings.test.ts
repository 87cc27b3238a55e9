/**
 * What an editor shows, through TypeScript's own language service: hovering over a setting of `InferenceEndpoint`
 * props or `defineEndpoint` shows the catalogue's facts about it, and a misspelt or misplaced setting is an error
 * that names the chosen service and task type's settings (not another service's). One program serves every case,
 * so the suite stays quick on a busy machine.
 */
import * as path from "node:path";
import ts from "typescript";
import { formatSince, getTaskSpec, infoOf, taskSince, updatableSince } from "../../lib/catalogue";
import { settingsFacts } from "../../lib/model/schema-walk";

const ROOT = path.resolve(__dirname, "../..");
const FILE = path.join(__dirname, "__typings_cases__.ts");

/**
 * The cases, one source file. `/*@name*\/` marks the position of a hover (before the property named right after)
 * or the place an error must be reported.
 */
const SOURCE = `
import type { Construct } from "constructs";
import { ElasticsearchCluster, InferenceEndpoint } from "../../lib/constructs";
import { defineEndpoint, secret, type EndpointDeclaration } from "../../lib/model";

declare const scope: Construct;
declare const cluster: ElasticsearchCluster;
const apiKey = secret.env("KEY");

export const hovered = new InferenceEndpoint(scope, "h", {
  cluster,
  inferenceId: "h",
  service: "openai",
  taskType: "text_embedding",
  serviceSettings: {
    /*@modelId*/modelId: "text-embedding-3-small",
    /*@apiKey*/apiKey,
    /*@dimensions*/dimensions: 256,
    /*@organizationId*/organizationId: "org",
    /*@rateLimit*/rateLimit: { /*@requestsPerMinute*/requestsPerMinute: 100 },
    /*@similarity*/similarity: "cosine",
  },
  /*@taskSettings*/taskSettings: { /*@user*/user: "u" },
  /*@chunkingSettings*/chunkingSettings: { strategy: "word", /*@maxChunkSize*/maxChunkSize: 100, overlap: 10 },
});

export const elser = defineEndpoint({
  inferenceId: "e",
  service: "elasticsearch",
  taskType: "sparse_embedding",
  serviceSettings: {
    modelId: ".elser_model_2",
    /*@numThreads*/numThreads: 1,
    /*@adaptiveAllocations*/adaptiveAllocations: { enabled: true },
  },
});

export const typo = new InferenceEndpoint(scope, "t", {
  cluster,
  inferenceId: "t",
  service: "openai",
  taskType: "text_embedding",
  serviceSettings: { modelId: "m", apiKey, /*!typo*/modle: "m" },
});

export const typoDefined = defineEndpoint({
  inferenceId: "t",
  service: "openai",
  taskType: "text_embedding",
  serviceSettings: { modelId: "m", apiKey, /*!typoDefined*/modle: "m" },
});

export const misplaced: EndpointDeclaration = {
  inferenceId: "m",
  service: "openai",
  taskType: "completion",
  serviceSettings: { modelId: "m", apiKey, /*!misplaced*/dimensions: 128 },
};

export const chunkingOnRerank = new InferenceEndpoint(scope, "c", {
  cluster,
  inferenceId: "c",
  service: "cohere",
  taskType: "rerank",
  serviceSettings: { modelId: "rerank-v3.5", apiKey },
  chunkingSettings: { /*!chunkingOnRerank*/strategy: "word", maxChunkSize: 100, overlap: 10 },
});

export const emptyChunkingOnRerank = defineEndpoint({
  inferenceId: "c",
  service: "cohere",
  taskType: "rerank",
  serviceSettings: { modelId: "rerank-v3.5", apiKey },
  /*!emptyChunkingOnRerank*/chunkingSettings: {},
});

export const taskSettingOfAnotherTaskType = defineEndpoint({
  inferenceId: "x",
  service: "cohere",
  taskType: "rerank",
  serviceSettings: { modelId: "m", apiKey },
  taskSettings: { /*!taskSettingOfAnotherTaskType*/inputType: "search" },
});

export const noTaskSettings = defineEndpoint({
  inferenceId: "x",
  service: "mistral",
  taskType: "completion",
  serviceSettings: { model: "m", apiKey },
  taskSettings: { /*!noTaskSettings*/temperature: 1 },
});

export const nearMiss = new InferenceEndpoint(scope, "n", {
  cluster,
  inferenceId: "n",
  service: "openai",
  taskType: "text_embedding",
  serviceSettings: { modelId: "m", apiKey },
  taskSettings: { /*!nearMiss*/usr: "u" },
});

export const literalSecret = defineEndpoint({
  inferenceId: "x",
  service: "openai",
  taskType: "completion",
  serviceSettings: { modelId: "m", /*!literalSecret*/apiKey: "sk-literal" },
});

export const wrongStrategy = defineEndpoint({
  inferenceId: "x",
  service: "openai",
  taskType: "text_embedding",
  serviceSettings: { modelId: "m", apiKey },
  chunkingSettings: { strategy: "word", maxChunkSize: 100, /*!wrongStrategy*/sentenceOverlap: 1 },
});

export const taskTypeOfAnotherService = /*!taskTypeOfAnotherService*/defineEndpoint({
  inferenceId: "x",
  service: "openai",
  taskType: "rerank",
  serviceSettings: { modelId: "m", apiKey },
});

export const valid: EndpointDeclaration[] = [
  { inferenceId: "ok", service: "mistral", taskType: "completion", serviceSettings: { model: "m", apiKey }, taskSettings: {} },
  { inferenceId: "ok2", service: "cohere", taskType: "rerank", serviceSettings: { modelId: "m", apiKey }, taskSettings: { topN: 3 } },
];
`;

let service: ts.LanguageService;
let diagnostics: readonly ts.Diagnostic[];

beforeAll(() => {
  const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => ({ ...options, noEmit: true }),
    getScriptFileNames: () => [FILE],
    getScriptVersion: () => "1",
    getScriptSnapshot: (name) => {
      const text = name === FILE ? SOURCE : ts.sys.readFile(name);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => ROOT,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (name) => name === FILE || ts.sys.fileExists(name),
    readFile: (name) => (name === FILE ? SOURCE : ts.sys.readFile(name)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  service = ts.createLanguageService(host, ts.createDocumentRegistry());
  diagnostics = service.getSemanticDiagnostics(FILE);
}, 180_000);

/** The position right after a marker comment. */
function at(marker: string): number {
  const text = `/*${marker}*/`;
  const i = SOURCE.indexOf(text);
  if (i < 0) throw new Error(`no marker ${text}`);
  return i + text.length;
}

/** What the editor shows when hovering the property after `/*@name*\/`. */
function hover(name: string): string {
  const info = service.getQuickInfoAtPosition(FILE, at(`@${name}`));
  if (!info) throw new Error(`no hover at ${name}`);
  const tags = (info.tags ?? []).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`);
  return [ts.displayPartsToString(info.displayParts), ts.displayPartsToString(info.documentation), ...tags].join("\n");
}

const message = (d: ts.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, "\n");

/** The errors reported on the line of `/*!name*\/`. */
function errorsAt(name: string): string[] {
  const file = service.getProgram()!.getSourceFile(FILE)!;
  const line = file.getLineAndCharacterOfPosition(at(`!${name}`)).line;
  return diagnostics
    .filter((d) => d.file?.fileName === FILE && file.getLineAndCharacterOfPosition(d.start!).line === line)
    .map(message);
}

const openai = getTaskSpec("openai", "text_embedding")!;
const description = (key: string) => infoOf(openai.serviceSettings.shape[key as "model_id"]).description!;

describe("hovers show the catalogue's facts", () => {
  test.each([
    ["modelId", "model_id", "- Required."],
    ["dimensions", "dimensions", "- Default: set by Elasticsearch when not declared."],
    ["organizationId", "organization_id", "- Optional."],
    ["similarity", "similarity", "- Allowed: cosine, dot_product, l2_norm."],
  ])("%s: description, required, default or allowed values, since, on change", (name, key, fact) => {
    const shown = hover(name);
    expect(shown).toContain(`OpenAITextEmbeddingServiceSettings.${name}`);
    expect(shown).toContain(description(key));
    expect(shown).toContain(fact);
    const since = settingsFacts(openai.serviceSettings).since.get(key) ?? taskSince("openai", "text_embedding")!;
    expect(shown).toContain(`- Since: Elasticsearch ${formatSince(since)}`);
    expect(shown).toContain(`- Request field: \`service_settings.${key}\`.`);
    expect(shown).toMatch(/- On change: (applied in place|forces a replace)/);
  });

  test("whether a change is applied in place or forces a replace, from the catalogue's registry", () => {
    expect(hover("modelId")).toContain(
      "- On change: forces a replace (delete and re-create): `_update` does not change it.",
    );
    const organization = updatableSince("openai", "text_embedding", "organization_id");
    expect(organization).toBeDefined();
    expect(hover("organizationId")).toContain(
      `- On change: applied in place by \`_update\` from Elasticsearch ${formatSince(organization!)}; forces a replace before.`,
    );
    expect(hover("apiKey")).toContain(
      "- On change: applied in place: `_update` replaces secrets; removing it forces a replace.",
    );
    expect(hover("apiKey")).toContain('- Secret: declare a reference, `secret.env("NAME")` or `secret.file(path)`');
    expect(hover("numThreads")).toContain("ElasticsearchSparseEmbeddingServiceSettings.numThreads");
    expect(hover("adaptiveAllocations")).toContain(
      `applied in place by \`_update\` from Elasticsearch ${formatSince(updatableSince("elasticsearch", "sparse_embedding", "adaptive_allocations")!)}`,
    );
  });

  test("nested settings, task settings and chunking settings too", () => {
    expect(hover("rateLimit")).toContain(
      '- Default: `{"requestsPerMinute":3000}`, stored by Elasticsearch when not declared.',
    );
    expect(hover("requestsPerMinute")).toContain("- Request field: `service_settings.rate_limit.requests_per_minute`.");
    expect(hover("user")).toContain("OpenAITextEmbeddingTaskSettings.user");
    expect(hover("user")).toContain(
      "- On change: applied in place: `_update` merges task settings; removing it forces a replace.",
    );
    expect(hover("taskSettings")).toContain("Task settings: defaults for every inference request of the endpoint.");
    expect(hover("chunkingSettings")).toContain("How the input is split into chunks before embedding.");
    expect(hover("maxChunkSize")).toContain("- Allowed: an integer of at least 10.");
  });
});

describe("a misspelt or misplaced setting names the chosen service and task type's settings", () => {
  test.each([
    [
      "typo",
      /^Object literal may only specify known properties, and 'modle' does not exist in type 'OpenAITextEmbeddingServiceSettings'\.$/,
    ],
    ["typoDefined", /'modle' does not exist in type 'OpenAITextEmbeddingServiceSettings'\.$/],
    ["misplaced", /'dimensions' does not exist in type 'OpenAICompletionServiceSettings'\.$/],
    ["chunkingOnRerank", /'strategy' does not exist in type 'NoChunkingSettings<"cohere", "rerank">'\.$/],
    ["emptyChunkingOnRerank", /Property '"cohere rerank endpoints take no chunking settings"' is missing/],
    ["taskSettingOfAnotherTaskType", /'inputType' does not exist in type 'CohereRerankTaskSettings'\.$/],
    ["noTaskSettings", /'temperature' does not exist in type 'NoTaskSettings<"mistral", "completion">'\.$/],
    ["nearMiss", /'usr' does not exist in type 'OpenAITextEmbeddingTaskSettings'\. Did you mean to write 'user'\?$/],
    ["literalSecret", /^Type 'string' is not assignable to type 'SecretReference \| undefined'\.$/],
    ["wrongStrategy", /'sentenceOverlap' does not exist in type 'WordChunkingSettings'\.$/],
    [
      "taskTypeOfAnotherService",
      // openai's own task types, in whatever order
      /Types of property 'taskType' are incompatible\.\n\s+Type '"rerank"' is not assignable to type '("(completion|chat_completion|text_embedding|embedding)"( \| )?){4}'\.$/,
    ],
  ])("%s", (name, expected) => {
    const errors = errorsAt(name);
    expect(errors).toEqual([expect.stringMatching(expected)]);
    // Never another service's type (the union of them all was printed before, starting with `custom`'s).
    expect(errors[0]).not.toMatch(/Custom|request: string|\| \{/);
  });

  test("valid declarations compile, and nothing else is reported", () => {
    const marked = [...SOURCE.matchAll(/\/\*!(\w+)\*\//g)].length;
    expect(diagnostics.map(message)).toHaveLength(marked);
  });
});
