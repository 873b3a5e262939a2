// Models: the list and retrieve requests.
import { describe, expect, it } from "vitest";
import { fakeClient, json } from "../../test/fake-fetch";

describe("models", () => {
  it("list GETs /v1/models", async () => {
    const models = { object: "list", data: [{ id: "mmgpt-tiny", object: "model", created: 1, owned_by: "mmgpt" }] };
    const { client, requests } = fakeClient([json(models)]);
    expect((await client.models.list()).data[0]?.id).toBe("mmgpt-tiny");
    expect(`${requests[0]!.method} ${requests[0]!.url}`).toBe("GET https://api.test/v1/models");
  });

  it("retrieve GETs /v1/models/{model}", async () => {
    const model = { id: "mmgpt-tiny", object: "model", created: 1, owned_by: "mmgpt" };
    const { client, requests } = fakeClient([json(model)]);
    expect(await client.models.retrieve("mmgpt-tiny")).toEqual(model);
    expect(`${requests[0]!.method} ${requests[0]!.url}`).toBe("GET https://api.test/v1/models/mmgpt-tiny");
  });
});
