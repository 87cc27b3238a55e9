import { z } from "zod";
import { defineService, task } from "../service-spec";
import { field } from "../fields";
import { customJsonParserKeys, customParametersDistinctFromSecrets } from "../rules";

const CUSTOM_INPUT_TYPES = ["classification", "clustering", "ingest", "search"] as const;

const common = {
  batch_size: field
    .positiveInt({
      serverDefault: "computed",
      description: "Batch size used for semantic_text ingestion (default 10).",
    })
    .optional(),
  headers: field
    .stringMap({
      description: "HTTP headers (Authorization, Content-Type, ...) sent to the service; may use ${key} templates.",
    })
    .optional(),
  input_type: field
    .object(
      {
        translation: z.partialRecord(z.enum(CUSTOM_INPUT_TYPES), z.string()).optional(),
        default: z.string().optional(),
      },
      { description: "How ${input_type} is rendered: a value per input type, and a default." },
    )
    .optional(),
  // CustomServiceSettings reads both; _update applies them (#146242).
  max_input_tokens: field.positiveInt({ serverOnly: true }).optional(),
  rate_limit: field.rateLimit().optional(),
  query_parameters: z.array(z.tuple([z.string().min(1, "must be a non-empty string"), z.string()])).optional(),
  request: field.text({ description: "The request body template, a string such as '{\"input\": ${input}}'." }),
  response: field.object(
    {
      json_parser: field.stringMap({ description: "JSON paths that extract the results from the service's response." }),
    },
    { description: "How to read the service's response." },
  ),
  secret_parameters: field.secretMap({ description: "Secret values (api_key, ...) used by ${key} templates." }),
  url: field.text({ description: "The URL endpoint to use for the requests." }).optional(),
};

const taskSettings = {
  parameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
};

const rules = [customParametersDistinctFromSecrets, customJsonParserKeys];

export const custom = defineService({
  name: "custom",
  displayName: "Custom",
  since: ["8.19.0", "9.1.0"],
  notes: [
    "service_settings.request is a string template (the specification types it as an object; every example sends a string).",
    "No timeout query parameter on create.",
  ],
  taskTypes: {
    text_embedding: task({ serviceSettings: common, taskSettings, chunking: true, rules }),
    sparse_embedding: task({ serviceSettings: common, taskSettings, chunking: true, rules }),
    rerank: task({ serviceSettings: common, taskSettings, rules }),
    completion: task({ serviceSettings: common, taskSettings, rules }),
  },
});
