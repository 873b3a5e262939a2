// Worker entry (root wrangler.toml `main`): the Hono app as the fetch handler, and the Durable
// Object classes the bindings name.
import { createApp } from "./app";

export { ConversationDO } from "./conversations/conversation-do";
export { RateLimiterDO } from "./rate-limit/rate-limiter-do";

export default createApp();
