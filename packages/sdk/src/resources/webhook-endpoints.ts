// /v1/webhook_endpoints: subscribe URLs to batch events; the secret is returned once, by create.
import type { RequestOptions, WithRequestId } from "../core/options";
import type { PageIterator } from "../core/pagination";
import type {
  WebhookEndpointCreateParams,
  WebhookEndpointDeleted,
  WebhookEndpointList,
  WebhookEndpointListParams,
  WebhookEndpointWithSecret,
} from "../types";
import { APIResource, seg } from "./resource";

export class WebhookEndpoints extends APIResource {
  /** POST /v1/webhook_endpoints; keep `secret` (`whsec_…`) to verify deliveries. */
  create(
    body: WebhookEndpointCreateParams,
    options?: RequestOptions,
  ): Promise<WithRequestId<WebhookEndpointWithSecret>> {
    return this.transport.json({ method: "POST", path: "/v1/webhook_endpoints", body }, options);
  }

  /** GET /v1/webhook_endpoints, newest first by default; iterate for every page. */
  list(query?: WebhookEndpointListParams, options?: RequestOptions): PageIterator<WebhookEndpointList> {
    return this.paginate("/v1/webhook_endpoints", query, options);
  }

  /** DELETE /v1/webhook_endpoints/{id} */
  delete(endpointId: string, options?: RequestOptions): Promise<WithRequestId<WebhookEndpointDeleted>> {
    return this.transport.json({ method: "DELETE", path: `/v1/webhook_endpoints/${seg(endpointId)}` }, options);
  }
}
