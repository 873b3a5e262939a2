// What of a long conversation the edge forwards under truncation "auto". A stored conversation
// or response chain grows without bound, while a runner reads at most 8 MiB of a generate body
// (context_length_exceeded beyond), so past a point every turn would fail although "auto"
// promises to keep answering. The oldest whole exchanges beyond MAX_FORWARDED_CHARS stay here;
// none of them could be in the prompt: 2,048 tokens hold at most 32 Ki characters (16 a token,
// LLaMA's longest piece), a 32nd of the budget. The runner drops the rest as usual, and the
// reply's dropped_exchanges counts both.
import type { DoneEvent, GenerateRequest } from "@mmgpt/schema/internal";
import type { RunnerAnswer } from "./client";

/** Characters of system text and turns forwarded: at most 6 MiB as JSON (`\u0001` each). */
export const MAX_FORWARDED_CHARS = 1 << 20;

const turnChars = (turn: GenerateRequest["turns"][number]) => turn.text.length;

/** The request without the oldest exchanges past the budget ("auto" only), and how many left. */
export function boundHistory(request: GenerateRequest): { request: GenerateRequest; dropped: number } {
  if (request.truncation !== "auto") return { request, dropped: 0 };
  const { turns } = request;
  let chars = (request.system?.length ?? 0) + turns.reduce((n, t) => n + turnChars(t), 0);
  let dropped = 0;
  // Exchange k is turns[2k] (user) and turns[2k + 1] (answer); the turn to answer always stays.
  while (chars > MAX_FORWARDED_CHARS && 2 * dropped + 1 < turns.length) {
    chars -= turnChars(turns[2 * dropped]!) + turnChars(turns[2 * dropped + 1]!);
    dropped++;
  }
  return dropped === 0 ? { request, dropped } : { request: { ...request, turns: turns.slice(2 * dropped) }, dropped };
}

/** The runner's done event with the exchanges the edge kept back counted in. */
export function withEdgeDropped(done: DoneEvent, answer: RunnerAnswer): DoneEvent {
  if (!answer.droppedByEdge) return done;
  return { ...done, dropped_exchanges: (done.dropped_exchanges ?? 0) + answer.droppedByEdge };
}
