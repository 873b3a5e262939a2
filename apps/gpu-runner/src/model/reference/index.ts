// Independent float64 reference of MultiModal-GPT (CLIP ViT → Perceiver → LLaMA with gated
// cross-attention, optional LoRA), written from shared/MODEL.md with plain loops, not from the
// ONNX graph builder. Its only job is to be obviously right, so graph outputs can be tested
// against it on tiny random models; it is far too slow to serve and never runs in production.
export { type ReferenceForwardOptions, referenceForward } from "./forward.js";
export { referenceMediaLatents, referencePerceiver } from "./perceiver.js";
export { referenceTextTime } from "./text-time.js";
export { referenceVision } from "./vision.js";
export type { RefTensor, RefWeights } from "./weights.js";
