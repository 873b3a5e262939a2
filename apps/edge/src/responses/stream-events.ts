// Runner events → the Responses event sequence, numbered by `sequence_number`:
//   response.created, response.in_progress, response.output_item.added,
//   response.content_part.added                       (once, on the runner's start or first text)
//   response.output_text.delta …                      (one per runner delta)
//   response.output_text.done, response.content_part.done, response.output_item.done,
//   response.completed | response.incomplete          (when the reply is done)
//   response.failed                                    (instead, on a failure; the relay adds the error)
import type { ResponseObject } from "@mmgpt/schema";
import type { ApiError } from "../errors/api-error";
import { outputMessage, type ResponseHead, responseObject } from "./response-object";

export class ResponseEvents {
  private sequence = 0;
  private opened = false;
  private text = "";

  constructor(private readonly head: ResponseHead) {}

  private event<T extends object>(type: string, fields: T) {
    return { type, ...fields, sequence_number: this.sequence++ };
  }

  private get at() {
    return { item_id: this.head.messageId, output_index: 0, content_index: 0 };
  }

  private part(text: string) {
    return { type: "output_text", text, annotations: [], logprobs: [] };
  }

  open(): object[] {
    if (this.opened) return [];
    this.opened = true;
    const response = responseObject(this.head, { status: "in_progress" });
    return [
      this.event("response.created", { response }),
      this.event("response.in_progress", { response }),
      this.event("response.output_item.added", {
        output_index: 0,
        item: { ...outputMessage(this.head, "", "in_progress"), content: [] },
      }),
      this.event("response.content_part.added", { ...this.at, part: this.part("") }),
    ];
  }

  delta(text: string): object[] {
    this.text += text;
    return [...this.open(), this.event("response.output_text.delta", { ...this.at, delta: text, logprobs: [] })];
  }

  /** The closing events around the finished response (its text is the runner's whole reply). */
  finish(response: ResponseObject): object[] {
    const item = response.output[0] ?? outputMessage(this.head, this.text, "completed");
    const text = item.content[0]?.text ?? this.text;
    return [
      ...this.open(),
      this.event("response.output_text.done", { ...this.at, text, logprobs: [] }),
      this.event("response.content_part.done", { ...this.at, part: this.part(text) }),
      this.event("response.output_item.done", { output_index: 0, item }),
      this.event(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response }),
    ];
  }

  failed(error: ApiError): object[] {
    return [
      ...this.open(),
      this.event("response.failed", { response: responseObject(this.head, { status: "failed", error }) }),
    ];
  }
}
