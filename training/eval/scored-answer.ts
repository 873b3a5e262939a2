// One scored answer for the evaluation's unit tests (aggregate, ablation): right or wrong, a
// first-turn question in a training phrasing unless `extra` says otherwise.
import type { ScoredAnswer } from "./aggregate";

export const answer = (task: string, correct: boolean, extra: Partial<ScoredAnswer> = {}): ScoredAnswer => ({
  task,
  correct,
  followup: false,
  heldoutPhrasing: false,
  error: false,
  replyWords: 4,
  ...extra,
});
