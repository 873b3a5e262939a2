// Reads configuration from `process.env` when the runtime has one (Node, Bun, Deno with the
// compat layer) without referring to Node's types, so browsers and Workers load this module too.

export function readEnv(name: string): string | undefined {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = process?.env?.[name]?.trim();
  return value ? value : undefined;
}
