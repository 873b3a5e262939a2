// Reads a non-streaming generation: the runner answers with the done event as JSON.
import { type DoneEvent, GenerateResult } from "@mmgpt/schema/internal";
import type { RunnerAnswer } from "./client";
import { badGateway } from "./errors";
import { withEdgeDropped } from "./forward-history";

export async function readResult(answer: RunnerAnswer): Promise<DoneEvent> {
  try {
    const parsed = GenerateResult.safeParse(await answer.response.json());
    if (!parsed.success) throw badGateway("The model runner sent a malformed result.");
    return withEdgeDropped(parsed.data, answer);
  } catch (error) {
    throw error instanceof SyntaxError ? badGateway("The model runner sent a malformed result.") : error;
  } finally {
    answer.release();
  }
}
