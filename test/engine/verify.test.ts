/** `verifyEndpoint`: one inference per endpoint, and a check of the result's shape for each task type. */
import { ElasticsearchClient } from "../../lib/client";
import { verifyEndpoint } from "../../lib/engine";
import { startEmulator, type Emulator } from "../../lib/emulator";

let emu: Emulator;
let client: ElasticsearchClient;
beforeAll(async () => {
  emu = await startEmulator();
  client = new ElasticsearchClient({ nodes: [emu.url] });
});
afterAll(async () => {
  await client.close();
  await emu.stop();
});

test.each([
  ["float", "embedding(s) of 256 dimensions"],
  ["byte", "embedding(s) of 256 dimensions"],
  ["bit", "embedding(s) of 32 dimensions"],
])("text embeddings of type %s (results under their own key) verify", async (type, shape) => {
  const id = `cohere-${type}`;
  emu.createEndpoint(
    id,
    {
      service: "cohere",
      service_settings: { model_id: "embed-v4.0", api_key: "k", embedding_type: type, dimensions: 256 },
    },
    "text_embedding",
  );
  const result = await verifyEndpoint(client, id, "text_embedding");
  expect(result).toMatchObject({ ok: true, message: expect.stringContaining(shape) });
});

test("an endpoint that cannot answer fails verification with the server's reason", async () => {
  const result = await verifyEndpoint(client, "missing", "rerank");
  expect(result).toMatchObject({
    ok: false,
    message: expect.stringContaining("Inference endpoint not found [missing]"),
  });
});
