// The renderer's one error type: a stable `code` for the API's error envelope, the offending
// field in `param` (e.g. "turns[2].role"), and a message written for the API caller.

export type PromptErrorCode =
  | "invalid_conversation"
  | "empty_conversation"
  | "invalid_turn"
  | "roles_not_alternating"
  | "last_turn_not_user"
  | "last_turn_not_assistant"
  | "image_on_assistant_turn"
  | "options_on_assistant_turn"
  | "too_many_images"
  | "prompt_too_long"; // past a render's `maxIds`: tokenizing stopped there (PromptTooLong)

export class PromptError extends Error {
  override readonly name = "PromptError";
  constructor(
    readonly code: PromptErrorCode,
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

/** Rendering stopped past `maxIds` with text left to tokenize: the prompt has at least `tokens` ids. */
export class PromptTooLong extends PromptError {
  constructor(
    readonly tokens: number,
    maxIds: number,
  ) {
    super("prompt_too_long", `the prompt has at least ${tokens} tokens, more than ${maxIds}`, "turns");
  }
}
