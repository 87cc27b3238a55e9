import { defineService, task } from "../service-spec";
import { field } from "../fields";

const common = {
  api_key: field.secret({ description: "A valid API key for your DeepSeek account." }),
  model_id: field.text({
    description: "For a completion or chat_completion task, the name of the model to use for the inference task.",
  }),
  url: field.text({ serverDefault: "computed", description: "The URL endpoint to use for the requests." }).optional(),
};

export const deepseek = defineService({
  name: "deepseek",
  displayName: "DeepSeek",
  since: "9.1.0",
  taskTypes: {
    completion: task({
      serviceSettings: common,
    }),
    chat_completion: task({
      serviceSettings: common,
    }),
  },
});
