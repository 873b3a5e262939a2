import { describe, expect, it } from "vitest";
import { CreateMessageRequest } from "./schemas";

const image = (n: number) => ({ type: "image_url", image_url: { url: `file-img${n}` } });

describe("CreateMessageRequest", () => {
  it("takes up to four images in one message and names a fifth", () => {
    expect(CreateMessageRequest.safeParse({ content: [1, 2, 3, 4].map(image) }).success).toBe(true);
    const five = CreateMessageRequest.safeParse({
      content: [{ type: "text", text: "?" }, ...[1, 2, 3, 4, 5].map(image)],
    });
    expect(five.error?.issues.map((i) => ({ path: i.path.join("."), message: i.message }))).toEqual([
      { path: "content.5.image_url.url", message: "at most 4 images per message" },
    ]);
  });
});
