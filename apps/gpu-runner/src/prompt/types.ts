// A conversation as the renderer takes it, and the rendered prompt as the engine and the API's
// "exact prompt" view consume it.

export interface ConversationTurn {
  role: "user" | "assistant";
  text: string;
  /** An opaque image reference, passed through to `RenderedPrompt.images`. User turns only. */
  image?: unknown;
  /** Several images in message order (at most MAX_IMAGES_PER_TURN), instead of `image`. */
  images?: unknown[];
  /** Answer choices, rendered as the "### Input:" section. User turns only. */
  options?: string[];
}

export interface Conversation {
  /** Replaces the TEMPLATE preamble of the first turn when given. */
  system?: string;
  /** user, assistant, user, …, user: the last user turn is the one to answer. */
  turns: ConversationTurn[];
}

/** One exchange: a user turn and, except for the last, the assistant's answer. */
export interface RenderedTurn {
  /** The template text of the exchange ("<image>" marks the image), plus the answer if any. */
  text: string;
  /** BOS + turn text (+ answer + EOS when answered), tokenized on its own. */
  ids: number[];
  /** How many of `ids` are the prompt (BOS + turn text); the rest, when answered, is answer + EOS. */
  promptLength: number;
  answered: boolean;
}

export interface ImagePosition {
  /** Index of the `<image>` id in `RenderedPrompt.ids`. */
  index: number;
  image: unknown;
  /** Which exchange (index into `RenderedPrompt.turns`) brought the image. */
  turn: number;
}

export interface RenderedPrompt {
  turns: RenderedTurn[];
  /** All turns' ids concatenated: the model's input. */
  ids: number[];
  images: ImagePosition[];
  /** All turns' text concatenated (no BOS/EOS markers): what the API shows as the prompt. */
  text: string;
}
