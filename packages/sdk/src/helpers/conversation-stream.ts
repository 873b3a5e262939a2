// The stream `conversations.messages.create(id, { stream: true })` returns: delta events, then
// the committed assistant message, which `finalMessage` keeps.
import { Stream } from "../core/stream";
import type { ConversationMessage, ConversationStreamEvent, Usage } from "../types";
import { collectText } from "./collect-text";

export class ConversationMessageStream extends Stream<ConversationStreamEvent> {
  /** The committed assistant message, once the stream delivered it. */
  finalMessage: ConversationMessage | null = null;

  protected override observe(event: ConversationStreamEvent): void {
    if (event.object === "conversation.message") this.finalMessage = event;
  }

  /** The usage of the turn, from the committed message. */
  get finalUsage(): Usage | null {
    return this.finalMessage?.usage ?? null;
  }

  /** Consumes the stream and returns the reply's text. */
  text(): Promise<string> {
    return collectText(this);
  }
}
