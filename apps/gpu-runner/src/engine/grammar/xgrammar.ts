// Loads XGrammar (@mlc-ai/web-xgrammar: the C++ grammar engine compiled to WASM, as WebLLM uses
// it) into Node. The only module that touches the package; everything else imports its types
// from here.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { compileFunction } from "node:vm";
import type * as XGrammar from "@mlc-ai/web-xgrammar";

export type XGrammarApi = typeof XGrammar;
export type CompiledGrammar = XGrammar.CompiledGrammar;
export type GrammarCompiler = XGrammar.GrammarCompiler;
export type GrammarMatcher = XGrammar.GrammarMatcher;
export type TokenizerInfo = XGrammar.TokenizerInfo;

let api: XGrammarApi | undefined;
const DYNAMIC_IMPORT = "await import('module')";

/**
 * The package ships a UMD bundle but declares `"type": "module"`, so Node's `import` runs it as
 * ESM, where its Node branch (`require`, `__filename`) throws and it exports nothing. Run the file
 * the way Node runs CommonJS instead — wrapped in a function given those five names — which is
 * the branch the bundle was built for. The WASM binary is inlined (base64): nothing is fetched.
 */
export function xgrammar(): XGrammarApi {
  if (api) return api;
  const require = createRequire(import.meta.url);
  const file = require.resolve("@mlc-ai/web-xgrammar/lib/index.js");
  const params = ["exports", "require", "module", "__filename", "__dirname"];
  // Its Emscripten loader's one dynamic import, `await import('module')`, needs an experimental
  // vm flag inside compileFunction; the `require` passed in returns the same module.
  const source = readFileSync(file, "utf8");
  const patched = source.replaceAll(DYNAMIC_IMPORT, "require('module')");
  if (patched === source) throw new Error(`xgrammar: ${file} no longer contains ${DYNAMIC_IMPORT}`);
  const run = compileFunction(patched, params, { filename: file });
  const module = { exports: {} as XGrammarApi };
  run(module.exports, createRequire(file), module, file, dirname(file));
  api = module.exports;
  return api;
}
