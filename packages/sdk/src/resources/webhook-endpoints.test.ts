// Webhook endpoints: create (with its secret), list (with their latest deliveries), delete.
import { describe, expect, expectTypeOf, it } from "vitest";
import { fakeClient, json } from "../../test/fake-fetch";
import type { WebhookDelivery } from "../types";

describe("webhookEndpoints", () => {
  it("create, list and delete hit their method and path", async () => {
    const endpoint = { id: "we_1", object: "webhook_endpoint", url: "https://example.com/hook", secret: "whsec_x" };
    const list = { object: "list", data: [endpoint], has_more: false, first_id: "we_1", last_id: "we_1" };
    const { client, requests } = fakeClient([json(endpoint), json(list), json({ id: "we_1", deleted: true })]);
    const created = await client.webhookEndpoints.create({ url: endpoint.url, events: ["batch.completed"] });
    expect(created.secret).toBe("whsec_x");
    const ids = [];
    for await (const e of client.webhookEndpoints.list()) ids.push(e.id);
    expect(ids).toEqual(["we_1"]);
    await client.webhookEndpoints.delete("we_1");
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /v1/webhook_endpoints",
      "GET /v1/webhook_endpoints",
      "DELETE /v1/webhook_endpoints/we_1",
    ]);
    expect(await requests[0]!.json()).toEqual({ url: endpoint.url, events: ["batch.completed"] });
  });

  it("types an endpoint's deliveries with a generic state and no status code", async () => {
    const delivery: WebhookDelivery = {
      id: "whd_1",
      event_id: "evt_1",
      event_type: "batch.completed",
      status: "pending",
      attempts: 1,
      last_attempt_at: 1795772462,
      last_error: "the endpoint did not acknowledge the event (no 2xx answer in time)",
      next_attempt_at: 1795772467,
      delivered_at: null,
    };
    const endpoint = { id: "we_1", object: "webhook_endpoint", status: "enabled", deliveries: [delivery] };
    const list = { object: "list", data: [endpoint], has_more: false, first_id: "we_1", last_id: "we_1" };
    const { client } = fakeClient([json(list)]);
    for await (const e of client.webhookEndpoints.list()) {
      expectTypeOf(e.deliveries).toEqualTypeOf<WebhookDelivery[]>();
      expect(e.deliveries[0]).toEqual(delivery);
    }
    expectTypeOf<WebhookDelivery["status"]>().toEqualTypeOf<"pending" | "delivered" | "failed">();
    expectTypeOf<WebhookDelivery>().not.toHaveProperty("last_status_code");
  });
});
