// GET /internal/v1/models, /healthz and /readyz answers of the runner. /metrics is Prometheus text.
import { z } from "zod";

export const RunnerModel = z.object({
  id: z.string().min(1),
  context_length: z.number().int().positive(),
  vision: z.literal(true),
});
export const RunnerModelsResponse = z.object({ models: z.array(RunnerModel) });
export type RunnerModel = z.infer<typeof RunnerModel>;
export type RunnerModelsResponse = z.infer<typeof RunnerModelsResponse>;

/** /healthz: the process is alive (200). */
export const RunnerHealth = z.object({ status: z.literal("ok"), protocol: z.number().int() });
export type RunnerHealth = z.infer<typeof RunnerHealth>;

/** /readyz: 200 when every model is loaded and accepting work, else 503 with `loading`. */
export const RunnerReadiness = z.object({
  status: z.enum(["ready", "loading"]),
  models: z.array(z.string()),
});
export type RunnerReadiness = z.infer<typeof RunnerReadiness>;
