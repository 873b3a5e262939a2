// Ending a reply. For each generated token the engine:
//   1. stopping.check(token, n): an EOS id ends with "stop" (and is never decoded), the token
//      budget with "length";
//   2. r = stops.push(decoder.push(token)): r.stopped ends with "stop";
//   3. sends trimmer.push(r.emit).
// At the end (no stop string hit): r = stops.push(decoder.flush()); send
// trimmer.push(r.emit + (r.stopped ? "" : stops.flush())) + trimmer.flush().
// Stops see the raw text (their "\n\n" must match); trimming comes after.
export { DEFAULT_STOPS, ReplyTrimmer, trimReply } from "./reply-text.js";
export { StopMatcher, type StopPush } from "./stop-strings.js";
export { DEFAULT_EOS_IDS, eosIdsOf, type FinishReason, StoppingCriteria, type StoppingOptions } from "./stopping.js";
