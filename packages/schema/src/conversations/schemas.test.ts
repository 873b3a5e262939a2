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

  it("refuses n > 1 naming the field (a stored turn has one reply); takes penalties and logit_bias", () => {
    const two = CreateMessageRequest.safeParse({ content: "hi", n: 2 });
    expect(two.error?.issues.map((i) => i.path.join("."))).toEqual(["n"]);
    expect(two.error?.issues[0].message).toContain("one reply per turn");
    const tuned = { content: "hi", n: 1, presence_penalty: 1, frequency_penalty: 0.5, logit_bias: { "13": -100 } };
    expect(CreateMessageRequest.safeParse(tuned).success).toBe(true);
  });
});
