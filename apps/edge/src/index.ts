// Worker entry (root wrangler.toml `main`): the handlers of worker.ts with the real outbound
// fetch, and the Durable Object classes the bindings name.
import { defaultDeps } from "./app";
import { createWorker } from "./worker";

export { BatchDO } from "./batches/batch-do";
export { BatchDispatchDO } from "./batches/dispatch-do";
export { ConversationDO } from "./conversations/conversation-do";
export { RateLimiterDO } from "./rate-limit/rate-limiter-do";

export default createWorker(defaultDeps);
