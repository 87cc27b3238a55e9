import { defineService, task, exactlyOne, together } from "../service-spec";
import { field } from "../fields";
import { CHAT_COMPLETION_SINCE } from "../task-types";

/** OAuth 2.0 client credentials: #150132 (changelog 9.5.0: Adding OpenAI OAuth2 implementation). */
const OAUTH2_SINCE = "9.5.0";

const common = {
  api_key: field.secret({ description: "A valid API key of your OpenAI account." }).optional(),
  client_id: field
    .text({ since: OAUTH2_SINCE, description: "For OAuth 2.0 authorization using the client credentials grant flow." })
    .optional(),
  client_secret: field
    .secret({
      since: OAUTH2_SINCE,
      description: "For OAuth 2.0 authorization using the client credentials grant flow.",
    })
    .optional(),
  model_id: field.text({ description: "The name of the model to use for the inference task." }),
  organization_id: field.text({ description: "The unique identifier for your organization." }).optional(),
  scopes: field
    .stringList({
      since: OAUTH2_SINCE,
      description: "For OAuth 2.0 authorization using the client credentials grant flow.",
    })
    .optional(),
  token_url: field
    .text({ since: OAUTH2_SINCE, description: "For OAuth 2.0 authorization using the client credentials grant flow." })
    .optional(),
  url: field.text({ serverDefault: "computed", description: "The URL endpoint to use for the requests." }).optional(),
};

const rateLimit500 = field.rateLimit(500).optional();

const chatCompletionTaskSettings = {
  user: field.text({ description: "Specifies the user issuing the request." }).optional(),
  headers: field.stringMap({ description: "Specifies custom HTTP header parameters." }).optional(),
};

const rateLimit3000 = field.rateLimit(3000).optional();

export const openai = defineService({
  name: "openai",
  displayName: "OpenAI",
  since: "8.12.0",
  notes: [
    "The OAuth 2.0 client-credentials fields arrived in 9.5.0.",
    "chat_completion is served through the streaming _stream API only.",
  ],
  taskTypes: {
    chat_completion: task({
      since: CHAT_COMPLETION_SINCE,
      serviceSettings: {
        ...common,
        rate_limit: rateLimit500,
      },
      taskSettings: chatCompletionTaskSettings,
      rules: [
        exactlyOne("service_settings", ["api_key", "client_secret"]),
        together("service_settings", ["client_id", "scopes", "token_url", "client_secret"]),
      ],
    }),
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit500,
      },
      taskSettings: chatCompletionTaskSettings,
      rules: [
        exactlyOne("service_settings", ["api_key", "client_secret"]),
        together("service_settings", ["client_id", "scopes", "token_url", "client_secret"]),
      ],
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        dimensions: field
          .positiveInt({
            serverDefault: "computed",
            description:
              "For a text_embedding or embedding task, the number of dimensions the resulting output embeddings should have.",
          })
          .optional(),
        rate_limit: rateLimit3000,
        similarity: field
          .similarity({ description: "For a text_embedding or embedding task, the similarity measure." })
          .optional(),
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
      },
      taskSettings: chatCompletionTaskSettings,
      chunking: true,
      rules: [
        exactlyOne("service_settings", ["api_key", "client_secret"]),
        together("service_settings", ["client_id", "scopes", "token_url", "client_secret"]),
      ],
    }),
    embedding: task({
      // #145833 (changelog 9.5.0: Enable EMBEDDING task for OpenAiService).
      since: "9.5.0",
      serviceSettings: {
        ...common,
        dimensions: field
          .positiveInt({
            serverDefault: "computed",
            description:
              "For a text_embedding or embedding task, the number of dimensions the resulting output embeddings should have.",
          })
          .optional(),
        rate_limit: rateLimit3000,
        similarity: field
          .similarity({ description: "For a text_embedding or embedding task, the similarity measure." })
          .optional(),
      },
      taskSettings: chatCompletionTaskSettings,
      chunking: true,
      rules: [
        exactlyOne("service_settings", ["api_key", "client_secret"]),
        together("service_settings", ["client_id", "scopes", "token_url", "client_secret"]),
      ],
    }),
  },
});
