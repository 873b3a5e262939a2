// Checks a conversation before rendering, so a bad request fails with a PromptError that
// names the field instead of producing a prompt the model was never trained on.
import { PromptError } from "./prompt-error.js";
import type { Conversation } from "./types.js";

const hasImage = (image: unknown): boolean => image !== undefined && image !== null;

/** Images one user turn may carry (Flamingo's interleaving allows more; the context does not). */
export const MAX_IMAGES_PER_TURN = 4;

/**
 * `complete`: the conversation is a training example, every user turn answered, so it ends
 * with the assistant's turn instead of the user turn to answer.
 */
export function validateConversation(input: unknown, { complete = false } = {}): asserts input is Conversation {
  if (typeof input !== "object" || input === null || !Array.isArray((input as Conversation).turns)) {
    throw new PromptError("invalid_conversation", "a conversation needs a `turns` array", "turns");
  }
  const { system, turns } = input as Conversation;
  if (system !== undefined && typeof system !== "string") {
    throw new PromptError("invalid_conversation", "`system` must be a string", "system");
  }
  if (turns.length === 0) throw new PromptError("empty_conversation", "the conversation has no turns", "turns");

  turns.forEach((turn, i) => {
    const param = `turns[${i}]`;
    if (typeof turn !== "object" || turn === null) {
      throw new PromptError("invalid_turn", `${param} must be an object`, param);
    }
    if (turn.role !== "user" && turn.role !== "assistant") {
      throw new PromptError("invalid_turn", `${param}.role must be "user" or "assistant"`, `${param}.role`);
    }
    if (typeof turn.text !== "string") {
      throw new PromptError("invalid_turn", `${param}.text must be a string`, `${param}.text`);
    }
    // Turns alternate user/assistant, starting with the user: the template has no other shape.
    const expected = i % 2 === 0 ? "user" : "assistant";
    if (turn.role !== expected) {
      throw new PromptError(
        "roles_not_alternating",
        `${param} is a ${turn.role} turn; turns must alternate user, assistant, … starting with user`,
        `${param}.role`,
      );
    }
    if (turn.images !== undefined) {
      if (hasImage(turn.image)) {
        throw new PromptError("invalid_turn", `${param}: give \`image\` or \`images\`, not both`, `${param}.images`);
      }
      if (!Array.isArray(turn.images) || turn.images.some((img) => !hasImage(img))) {
        throw new PromptError("invalid_turn", `${param}.images must be an array of images`, `${param}.images`);
      }
      if (turn.images.length > MAX_IMAGES_PER_TURN) {
        throw new PromptError(
          "too_many_images",
          `${param}: at most ${MAX_IMAGES_PER_TURN} images per turn, got ${turn.images.length}`,
          `${param}.images`,
        );
      }
    }
    if (turn.role === "assistant" && (hasImage(turn.image) || (turn.images?.length ?? 0) > 0)) {
      throw new PromptError(
        "image_on_assistant_turn",
        `${param}: only user turns can carry an image`,
        `${param}.image`,
      );
    }
    if (turn.options !== undefined) {
      if (turn.role === "assistant") {
        throw new PromptError(
          "options_on_assistant_turn",
          `${param}: only user turns have options`,
          `${param}.options`,
        );
      }
      if (!Array.isArray(turn.options) || turn.options.some((o) => typeof o !== "string")) {
        throw new PromptError("invalid_turn", `${param}.options must be an array of strings`, `${param}.options`);
      }
    }
  });
  if (complete) {
    if (turns[turns.length - 1].role !== "assistant") {
      throw new PromptError(
        "last_turn_not_assistant",
        "a training example must end with the assistant's answer",
        `turns[${turns.length - 1}]`,
      );
    }
  } else if (turns[turns.length - 1].role !== "user") {
    throw new PromptError(
      "last_turn_not_user",
      "the last turn must be the user turn to answer",
      `turns[${turns.length - 1}]`,
    );
  }
}
