// The test wrangler config imports these binary files as ArrayBuffers ("Data" module rule).
declare module "*.jpg" {
  const data: ArrayBuffer;
  export default data;
}
declare module "*.png" {
  const data: ArrayBuffer;
  export default data;
}
declare module "*.webp" {
  const data: ArrayBuffer;
  export default data;
}
declare module "*.gif" {
  const data: ArrayBuffer;
  export default data;
}

// Vite's import.meta.glob, declared here rather than via vite/client, whose "*.png" declarations
// (URL strings) would contradict the ArrayBuffer modules above.
interface ImportMeta {
  glob<T>(pattern: string, options: { eager: true; import: "default" }): Record<string, T>;
}
