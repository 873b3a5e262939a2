// MultiModal-GPT's prompt: template, validation and rendering to ids.
export { PromptError, type PromptErrorCode, PromptTooLong } from "./prompt-error.js";
export { joinExchanges, type RenderedExchange, renderExchange, renderPrompt } from "./render.js";
export { type CaptionLayout, type RenderedCaption, renderCaption } from "./render-caption.js";
export { IMAGE_PLACEHOLDER, RESPONSE_MARKER, TEMPLATE } from "./template.js";
export type { Conversation, ConversationTurn, ImagePosition, RenderedPrompt, RenderedTurn } from "./types.js";
export { MAX_IMAGES_PER_TURN, validateConversation } from "./validate.js";
