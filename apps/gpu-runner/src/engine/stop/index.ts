// Ending a reply: token-level stopping criteria, streaming stop strings, reply whitespace.
export { DEFAULT_STOPS, ReplyTrimmer, trimReply } from "./reply-text.js";
export { StopMatcher, type StopPush } from "./stop-strings.js";
export { DEFAULT_EOS_IDS, eosIdsOf, type FinishReason, StoppingCriteria, type StoppingOptions } from "./stopping.js";
