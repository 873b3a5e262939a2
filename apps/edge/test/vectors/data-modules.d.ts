// Test vectors are imported through Vite's `?inline` query, which yields a base64 data: URL.
// (Binary "Data" module rules are not used: wrangler's default `**/*.bin` Data rule shadows any
// Data rule added through miniflare options, so the import would silently become a URL string.)
declare module "*?inline" {
  const dataUrl: string;
  export default dataUrl;
}

// Vite's import.meta.glob, declared here rather than via vite/client (not needed elsewhere).
interface ImportMeta {
  glob<T>(pattern: string, options: { eager: true; import: "default"; query: string }): Record<string, T>;
}

// Text files through Vite's `?raw` query (src/config.test.ts reads the edge README).
declare module "*?raw" {
  const text: string;
  export default text;
}
