import { defineService, task, exactlyOne, together } from "../service-spec";
import { field } from "../fields";

/** OAuth 2.0 client credentials: #143896 (changelog 9.4.0: Adding OAuth2 support for Azure OpenAI). */
const OAUTH2_SINCE = "9.4.0";

const common = {
  api_key: field.secret({ description: "A valid API key for your Azure OpenAI account." }).optional(),
  api_version: field.text({ description: "The Azure API version ID to use." }),
  client_id: field
    .text({ since: OAUTH2_SINCE, description: "For OAuth 2.0 authorization using the client credentials grant flow." })
    .optional(),
  client_secret: field
    .secret({
      since: OAUTH2_SINCE,
      description: "For OAuth 2.0 authorization using the client credentials grant flow.",
    })
    .optional(),
  deployment_id: field.text({ description: "The deployment name of your deployed models." }),
  entra_id: field.secret({ description: "A valid Microsoft Entra token." }).optional(),
  resource_name: field.text({ description: "The name of your Azure OpenAI resource." }),
  scopes: field
    .stringList({
      since: OAUTH2_SINCE,
      description: "For OAuth 2.0 authorization using the client credentials grant flow.",
    })
    .optional(),
  tenant_id: field
    .text({ since: OAUTH2_SINCE, description: "For OAuth 2.0 authorization using the client credentials grant flow." })
    .optional(),
};

const rateLimit120 = field.rateLimit(120).optional();

const completionTaskSettings = {
  user: field.text({ description: "Specifies the user issuing the request." }).optional(),
  headers: field.stringMap({ description: "Specifies custom HTTP header parameters." }).optional(),
};

const rateLimit1440 = field.rateLimit(1440).optional();

export const azureopenai = defineService({
  name: "azureopenai",
  displayName: "Azure OpenAI",
  since: "8.14.0",
  notes: ["The OAuth 2.0 client-credentials fields are on Elasticsearch main (2026) only."],
  taskTypes: {
    completion: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit120,
      },
      taskSettings: completionTaskSettings,
      rules: [
        exactlyOne("service_settings", ["api_key", "entra_id", "client_secret"]),
        together("service_settings", ["client_id", "scopes", "tenant_id", "client_secret"]),
      ],
    }),
    chat_completion: task({
      since: "9.1.0",
      serviceSettings: {
        ...common,
        rate_limit: rateLimit120,
      },
      taskSettings: completionTaskSettings,
      rules: [
        exactlyOne("service_settings", ["api_key", "entra_id", "client_secret"]),
        together("service_settings", ["client_id", "scopes", "tenant_id", "client_secret"]),
      ],
    }),
    text_embedding: task({
      serviceSettings: {
        ...common,
        rate_limit: rateLimit1440,
        dimensions: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        max_input_tokens: field.positiveInt({ serverOnly: true, serverDefault: "computed" }).optional(),
        similarity: field.similarity({ serverOnly: true }).optional(),
      },
      taskSettings: completionTaskSettings,
      chunking: true,
      rules: [
        exactlyOne("service_settings", ["api_key", "entra_id", "client_secret"]),
        together("service_settings", ["client_id", "scopes", "tenant_id", "client_secret"]),
      ],
    }),
  },
});
