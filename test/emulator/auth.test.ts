/** Optional API-key authentication: 401 security_exception with the server's texts and challenge header. */
import { Client } from "@elastic/elasticsearch";
import { esError, raw, useEmulator } from "./helpers";

describe("API key authentication", () => {
  const { em } = useEmulator({ apiKey: "c2VjcmV0LWtleQ==" });

  it("refuses requests without credentials", async () => {
    const res = await raw(em(), "GET", "/_inference?pretty");
    expect(res.status).toBe(401);
    expect(res.json.error.type).toBe("security_exception");
    expect(res.json.error.reason).toBe("missing authentication credentials for REST request [/_inference?pretty]");
    expect(res.headers.get("www-authenticate")).toContain("ApiKey");
    expect(res.headers.get("x-elastic-product")).toBe("Elasticsearch");
  });

  it("refuses a wrong key", async () => {
    const res = await raw(em(), "GET", "/", undefined, { authorization: "ApiKey nope" });
    expect(res.status).toBe(401);
    expect(res.json.error.reason).toBe(
      "unable to authenticate with provided credentials and anonymous access is not allowed for this request",
    );
  });

  it("accepts the key (official client with auth.apiKey)", async () => {
    const client = new Client({ node: em().url, auth: { apiKey: "c2VjcmV0LWtleQ==" }, maxRetries: 0 });
    expect((await client.info()).tagline).toBe("You Know, for Search");
    const bad = new Client({ node: em().url, auth: { apiKey: "wrong" }, maxRetries: 0 });
    expect((await esError(bad.inference.get())).status).toBe(401);
    await client.close();
    await bad.close();
  });

  it("never records header values in the request log", async () => {
    await raw(em(), "GET", "/", undefined, { authorization: "ApiKey c2VjcmV0LWtleQ==" });
    expect(JSON.stringify(em().requests.list())).not.toContain("c2VjcmV0LWtleQ");
  });
});
