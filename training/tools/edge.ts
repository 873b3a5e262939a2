// The edge's own code the training tools reuse, loaded at run time: its image pipeline (bytes →
// the 224×224×3 pixels the runner receives) and its rule for OpenAI messages → turns. The edge is
// typed against the Workers runtime and the runner against Node; one program type-checked against
// both disagrees on a few DOM types, so the functions used here are declared by hand (contracts:
// apps/edge/src/images/README.md, apps/edge/src/chat/turns.ts) and the modules are imported by a
// path TypeScript does not follow.
// Needs `--import ./training/tools/wasm-hooks.mjs` for the JPEG/WebP decoders' .wasm imports.

export interface EdgeTurn {
  role: "user" | "assistant";
  text: string;
  images: { url: string }[];
}

export interface Edge {
  preprocessImage(bytes: Uint8Array): Promise<{ sha256: string; rgb: Uint8Array; width: number; height: number }>;
  parseDataUrl(url: string): { bytes: Uint8Array; mediaType: string };
  /** Throws (an edge ApiError) when the first non-system message is not the user's. */
  toTurns(messages: readonly unknown[]): { system: string | undefined; turns: EdgeTurn[] };
}

const src = new URL("../../apps/edge/src/", import.meta.url);
const load = (path: string) => import(new URL(path, src).href);

export async function loadEdge(): Promise<Edge> {
  const [pre, data, turns] = await Promise.all([
    load("images/preprocess.ts"),
    load("images/data-url.ts"),
    load("chat/turns.ts"),
  ]);
  return { preprocessImage: pre.preprocessImage, parseDataUrl: data.parseDataUrl, toTurns: turns.toTurns };
}
