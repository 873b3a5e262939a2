// The serving configurations the evaluation compares: weight precision × KV cache element type,
// each set through the runner's own variables (MMGPT_PRECISION, MMGPT_KV_CACHE_DTYPE).
export interface ServeConfig {
  id: string;
  label: string;
  precision: "fp32" | "int4";
  kvCacheDtype: "fp16" | "fp32";
}

export const CONFIGS: readonly ServeConfig[] = [
  { id: "fp32-fp16", label: "fp32 · fp16 KV", precision: "fp32", kvCacheDtype: "fp16" },
  { id: "fp32-fp32", label: "fp32 · fp32 KV", precision: "fp32", kvCacheDtype: "fp32" },
  { id: "int4-fp16", label: "int4 · fp16 KV", precision: "int4", kvCacheDtype: "fp16" },
  { id: "int4-fp32", label: "int4 · fp32 KV", precision: "int4", kvCacheDtype: "fp32" },
];

/** The fp32-weights configuration an int4 one is held against (same KV cache type). */
export function fp32Twin(config: ServeConfig): ServeConfig | undefined {
  if (config.precision !== "int4") return undefined;
  return CONFIGS.find((c) => c.precision === "fp32" && c.kvCacheDtype === config.kvCacheDtype);
}
