// Node module hooks that give `import mod from "x.wasm"` the meaning it has in workerd: the
// default export is a compiled WebAssembly.Module. The edge's image decoders (@jsquash) are
// written that way; with these hooks the training tools run the edge's exact preprocessing.
import { readFileSync } from "node:fs";
import { register } from "node:module";

if (!globalThis.__mmgptWasmHooks) {
  globalThis.__mmgptWasmHooks = true;
  register(import.meta.url);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith(".wasm")) return nextLoad(url, context);
  const path = new URL(url);
  const bytes = readFileSync(path);
  const source = `const bytes = Uint8Array.from(atob(${JSON.stringify(bytes.toString("base64"))}), (c) => c.charCodeAt(0));
export default new WebAssembly.Module(bytes);`;
  return { format: "module", source, shortCircuit: true };
}
