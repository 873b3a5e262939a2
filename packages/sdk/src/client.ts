// `new MMGPT(options)`: resolves options (explicit, else MMGPT_API_KEY / MMGPT_BASE_URL from the
// environment), builds the one Transport and exposes the resources on it.
import { readEnv } from "./core/env";
import { MMGPTError } from "./core/errors";
import { Transport } from "./core/http";
import type { ClientOptions } from "./core/options";
import { sleep } from "./core/retry";
import { Batches } from "./resources/batches";
import { Chat } from "./resources/chat";
import { Conversations } from "./resources/conversations";
import { Files } from "./resources/files";
import { Models } from "./resources/models";
import { WebhookEndpoints } from "./resources/webhook-endpoints";
import { Webhooks } from "./resources/webhooks";

export const DEFAULT_MAX_RETRIES = 2;
export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

export class MMGPT {
  /** The API origin, without a trailing slash or `/v1`. */
  readonly baseURL: string;
  readonly maxRetries: number;
  readonly timeout: number;

  readonly chat: Chat;
  readonly conversations: Conversations;
  readonly files: Files;
  readonly batches: Batches;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly webhooks: Webhooks;
  readonly models: Models;

  constructor(options: ClientOptions = {}) {
    const apiKey = options.apiKey ?? readEnv("MMGPT_API_KEY");
    if (!apiKey) throw new MMGPTError("Missing API key: pass `apiKey` or set MMGPT_API_KEY.");
    const baseURL = options.baseURL ?? readEnv("MMGPT_BASE_URL");
    if (!baseURL) throw new MMGPTError("Missing base URL: pass `baseURL` or set MMGPT_BASE_URL.");
    const fetch = options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (typeof fetch !== "function") throw new MMGPTError("No fetch available: pass `fetch`.");

    this.baseURL = baseURL.replace(/\/+$/, "").replace(/\/v1$/, "");
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    this.timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    const transport = new Transport({
      apiKey,
      baseURL: this.baseURL,
      fetch,
      maxRetries: this.maxRetries,
      timeout: this.timeout,
      defaultHeaders: options.defaultHeaders ?? {},
      sleep: options.sleep ?? sleep,
    });

    this.chat = new Chat(transport);
    this.conversations = new Conversations(transport);
    this.files = new Files(transport);
    this.batches = new Batches(transport);
    this.webhookEndpoints = new WebhookEndpoints(transport);
    this.webhooks = new Webhooks();
    this.models = new Models(transport);
  }
}
