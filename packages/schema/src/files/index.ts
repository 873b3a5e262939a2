// Uploaded files (images and batch inputs).
export * from "./routes";
export * from "./schemas";
