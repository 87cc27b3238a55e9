/** Every service Elasticsearch supports, keyed by its `service` value. */
import { ai21 } from "./ai21";
import { alibabacloudAiSearch } from "./alibabacloud_ai_search";
import { amazonSagemaker } from "./amazon_sagemaker";
import { amazonbedrock } from "./amazonbedrock";
import { anthropic } from "./anthropic";
import { azureaistudio } from "./azureaistudio";
import { azureopenai } from "./azureopenai";
import { cohere } from "./cohere";
import { contextualai } from "./contextualai";
import { custom } from "./custom";
import { deepseek } from "./deepseek";
import { elastic } from "./elastic";
import { elasticsearch } from "./elasticsearch";
import { elser } from "./elser";
import { fireworksai } from "./fireworksai";
import { googleaistudio } from "./googleaistudio";
import { googlevertexai } from "./googlevertexai";
import { groq } from "./groq";
import { huggingFace } from "./hugging_face";
import { jinaai } from "./jinaai";
import { llama } from "./llama";
import { mistral } from "./mistral";
import { nvidia } from "./nvidia";
import { openai } from "./openai";
import { openshiftAi } from "./openshift_ai";
import { tencentcloud } from "./tencentcloud";
import { voyageai } from "./voyageai";
import { watsonxai } from "./watsonxai";

export const SERVICES = {
  ai21: ai21,
  "alibabacloud-ai-search": alibabacloudAiSearch,
  amazon_sagemaker: amazonSagemaker,
  amazonbedrock: amazonbedrock,
  anthropic: anthropic,
  azureaistudio: azureaistudio,
  azureopenai: azureopenai,
  cohere: cohere,
  contextualai: contextualai,
  custom: custom,
  deepseek: deepseek,
  elastic: elastic,
  elasticsearch: elasticsearch,
  elser: elser,
  fireworksai: fireworksai,
  googleaistudio: googleaistudio,
  googlevertexai: googlevertexai,
  groq: groq,
  hugging_face: huggingFace,
  jinaai: jinaai,
  llama: llama,
  mistral: mistral,
  nvidia: nvidia,
  openai: openai,
  openshift_ai: openshiftAi,
  tencentcloud: tencentcloud,
  voyageai: voyageai,
  watsonxai: watsonxai,
} as const;
