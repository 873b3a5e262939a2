import type { ChatMessage } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors/api-error";
import { toTurns } from "./turns";

const image = (url: string) => ({ type: "image_url" as const, image_url: { url } });
const param = (message: number, part: number) => `messages.${message}.content.${part}.image_url.url`;

describe("toTurns", () => {
  it("joins system messages, merges consecutive roles and appends their images in order", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "A." },
      { role: "developer", content: [{ type: "text", text: "B." }] },
      { role: "user", content: [image("file-a"), { type: "text", text: "one" }, image("file-b")] },
      { role: "user", content: "two" },
      { role: "user", content: [image("file-c")] },
      { role: "assistant", content: "x" },
      { role: "assistant", content: "y" },
      { role: "user", content: "" },
    ];
    expect(toTurns(messages)).toEqual({
      system: "A.\nB.",
      turns: [
        {
          role: "user",
          text: "one\ntwo",
          images: [
            { url: "file-a", param: param(2, 0) },
            { url: "file-b", param: param(2, 2) },
            { url: "file-c", param: param(4, 0) },
          ],
        },
        { role: "assistant", text: "x\ny", images: [] },
        { role: "user", text: "", images: [] },
      ],
    });
  });

  it("refuses an assistant turn first, naming the field", () => {
    const first = () => toTurns([{ role: "assistant", content: "x" }]);
    expect(first).toThrow(ApiError);
    expect(() => first()).toThrow(/first non-system message/);
  });
});
