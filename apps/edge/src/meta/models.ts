// The served models: the MODELS var when set, else the runners' /internal/v1/models (first
// runner that answers), remembered for a minute per isolate and runner list to keep it off the
// hot path.
import type { Model } from "@mmgpt/schema";
import { INTERNAL_PATHS, RunnerModelsResponse } from "@mmgpt/schema/internal";
import type { Context } from "hono";
import { edgeConfig } from "../config";
import type { AppEnv, Deps } from "../env";
import { callRunners } from "../runner/client";
import { runnerContext, statelessOrder } from "../runner/context";
import { badGateway, mapRunnerError } from "../runner/errors";

const CACHE_MS = 60_000;
/** Models have no creation time on the runner; a fixed one keeps the list stable. */
const CREATED = 1_767_225_600; // 2026-01-01

let cached: { runners: string; ids: string[]; until: number } | undefined;

async function askRunners(c: Context<AppEnv>, deps: Deps): Promise<string[]> {
  const runners = edgeConfig(c.env).runnerUrls.join(",");
  if (cached && cached.runners === runners && cached.until > Date.now()) return cached.ids;
  const answer = await callRunners(runnerContext(c, deps), statelessOrder(c), {
    method: "GET",
    path: INTERNAL_PATHS.models,
  });
  answer.release();
  if (!answer.response.ok) throw mapRunnerError(answer.response, await answer.response.text());
  const parsed = RunnerModelsResponse.safeParse(await answer.response.json().catch(() => null));
  if (!parsed.success) throw badGateway("The model runner sent a malformed model list.");
  const ids = parsed.data.models.map((m) => m.id);
  cached = { runners, ids, until: Date.now() + CACHE_MS };
  return ids;
}

export async function modelIds(c: Context<AppEnv>, deps: Deps): Promise<string[]> {
  const { models } = edgeConfig(c.env);
  return models.length ? models : askRunners(c, deps);
}

export function toModel(id: string): Model {
  return { id, object: "model", created: CREATED, owned_by: "mmgpt" };
}
