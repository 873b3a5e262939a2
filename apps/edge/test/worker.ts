// Minimal worker entry for the test-only wrangler config: vitest-pool-workers needs a `main`.
// The real edge worker (Hono app) replaces this when it exists.
export default {
  async fetch(): Promise<Response> {
    return new Response("mmgpt edge test worker", { status: 200 });
  },
} satisfies ExportedHandler;
