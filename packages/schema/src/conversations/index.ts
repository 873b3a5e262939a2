// Conversations and their messages.
export * from "./routes";
export * from "./schemas";
