// Webhook endpoints and batch events.
export * from "./routes";
export * from "./schemas";
