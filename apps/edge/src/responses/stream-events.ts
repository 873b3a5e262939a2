// Runner events → the Responses event sequence, numbered by `sequence_number`:
//   response.created, response.in_progress,
//   response.output_item.added, response.content_part.added   (per choice, once, on the runner's
//                                                               start or first text)
//   response.output_text.delta …                               (one per runner delta, under its
//                                                               choice's output_index; logprobs
//                                                               of its tokens when included)
//   response.output_text.done, response.content_part.done,
//   response.output_item.done                                  (per choice, when the reply is done)
//   response.completed | response.incomplete
//   response.failed                                            (instead, on a failure; the relay adds the error)
import { includesLogprobs, type ResponseObject } from "@mmgpt/schema";
import type { DeltaEvent, DoneEvent, TokenLogprob } from "@mmgpt/schema/internal";
import { choicesOf } from "../chat/chunks";
import type { ApiError } from "../errors/api-error";
import { outputMessage, type ResponseHead, responseObject } from "./response-object";

export class ResponseEvents {
  private sequence = 0;
  private opened = false;
  /** Per choice: the logprobs streamed so far (a streamed done event carries none). */
  private readonly logprobs: TokenLogprob[][];

  constructor(private readonly head: ResponseHead) {
    this.logprobs = head.messageIds.map(() => []);
  }

  private event<T extends object>(type: string, fields: T) {
    return { type, ...fields, sequence_number: this.sequence++ };
  }

  private at(index: number) {
    return { item_id: this.head.messageIds[index], output_index: index, content_index: 0 };
  }

  open(): object[] {
    if (this.opened) return [];
    this.opened = true;
    const response = responseObject(this.head, { status: "in_progress" });
    return [
      this.event("response.created", { response }),
      this.event("response.in_progress", { response }),
      ...this.head.messageIds.flatMap((_, index) => [
        this.event("response.output_item.added", {
          output_index: index,
          item: { ...outputMessage(this.head, index, "", "in_progress"), content: [] },
        }),
        this.event("response.content_part.added", {
          ...this.at(index),
          part: outputMessage(this.head, index, "", "in_progress").content[0],
        }),
      ]),
    ];
  }

  delta(event: Pick<DeltaEvent, "text" | "index" | "logprobs">): object[] {
    const index = event.index ?? 0;
    const logprobs = event.logprobs ?? [];
    this.logprobs[index]?.push(...logprobs);
    return [
      ...this.open(),
      this.event("response.output_text.delta", { ...this.at(index), delta: event.text, logprobs }),
    ];
  }

  /** The done event with each choice's streamed logprobs, when the request included them. */
  withLogprobs(done: DoneEvent): DoneEvent {
    if (!includesLogprobs(this.head.body)) return done;
    return { ...done, choices: choicesOf(done).map((c) => ({ ...c, logprobs: this.logprobs[c.index] ?? [] })) };
  }

  /** The closing events of each choice around the finished response. */
  finish(response: ResponseObject): object[] {
    return [
      ...this.open(),
      ...response.output.flatMap((item, index) => {
        const part = item.content[0]!;
        return [
          this.event("response.output_text.done", { ...this.at(index), text: part.text, logprobs: part.logprobs }),
          this.event("response.content_part.done", { ...this.at(index), part }),
          this.event("response.output_item.done", { output_index: index, item }),
        ];
      }),
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
