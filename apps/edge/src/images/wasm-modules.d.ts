// wrangler and vitest-pool-workers import `.wasm` files as compiled WebAssembly.Module objects.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
