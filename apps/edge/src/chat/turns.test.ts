import type { ChatMessage } from "@mmgpt/schema";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors/api-error";
import { toTurns } from "./turns";

const image = (url: string) => ({ type: "image_url" as const, image_url: { url } });

describe("toTurns", () => {
  it("joins system messages, merges consecutive roles and keeps the one image", () => {
    const messages: ChatMessage[] = [
      { role: "system", content: "A." },
      { role: "developer", content: [{ type: "text", text: "B." }] },
      { role: "user", content: [image("file-a"), { type: "text", text: "one" }] },
      { role: "user", content: "two" },
      { role: "assistant", content: "x" },
      { role: "assistant", content: "y" },
      { role: "user", content: "" },
    ];
    expect(toTurns(messages)).toEqual({
      system: "A.\nB.",
      turns: [
        { role: "user", text: "one\ntwo", image: { url: "file-a", param: "messages.2.content.0.image_url.url" } },
        { role: "assistant", text: "x\ny", image: undefined },
        { role: "user", text: "", image: undefined },
      ],
    });
  });

  it("refuses an assistant turn first and a second image in one turn, naming the field", () => {
    const first = () => toTurns([{ role: "assistant", content: "x" }]);
    expect(first).toThrow(ApiError);
    expect(() => first()).toThrow(/first non-system message/);
    try {
      toTurns([
        { role: "user", content: [image("file-a")] },
        { role: "user", content: [{ type: "text", text: "t" }, image("file-b")] },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "invalid_request_error", param: "messages.1.content.1.image_url.url" });
    }
  });
});
