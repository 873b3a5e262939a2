// The edge's image pipeline, loaded at run time. The edge is typed against the Workers runtime
// and the runner against Node; one program type-checked against both disagrees on a few DOM
// types, so the two functions used here are declared by hand (their contract is the edge's
// images/README.md) and the module is imported by a path TypeScript does not follow.
// Needs `--import ./training/tools/wasm-hooks.mjs` for the JPEG/WebP decoders' .wasm imports.

export interface EdgeImages {
  preprocessImage(bytes: Uint8Array): Promise<{ sha256: string; rgb: Uint8Array; width: number; height: number }>;
  parseDataUrl(url: string): { bytes: Uint8Array; mediaType: string };
}

const dir = new URL("../../apps/edge/src/images/", import.meta.url);

export async function edgeImages(): Promise<EdgeImages> {
  const [pre, data] = await Promise.all([
    import(new URL("preprocess.ts", dir).href),
    import(new URL("data-url.ts", dir).href),
  ]);
  return { preprocessImage: pre.preprocessImage, parseDataUrl: data.parseDataUrl };
}
