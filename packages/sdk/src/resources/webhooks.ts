// `client.webhooks`: verification of incoming deliveries (no HTTP calls of its own).
import { type VerifyOptions, verifyWebhook, type WebhookHeaders } from "../helpers/webhook-signature";
import type { WebhookEvent } from "../types";

export class Webhooks {
  /**
   * Verifies a delivery and returns its event. Pass the raw body exactly as received, the
   * request headers and the endpoint's `whsec_…` secret; throws WebhookVerificationError.
   */
  verify(payload: string, headers: WebhookHeaders, secret: string, options?: VerifyOptions): Promise<WebhookEvent> {
    return verifyWebhook(payload, headers, secret, options);
  }
}
