// Batches of chat completions.
export * from "./routes";
export * from "./schemas";
