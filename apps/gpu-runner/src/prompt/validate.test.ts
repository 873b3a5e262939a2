// Malformed conversations fail with a PromptError whose code and param point at the problem.
import { describe, expect, it } from "vitest";
import { PromptError } from "./prompt-error.js";
import { validateConversation } from "./validate.js";

function errorOf(input: unknown): PromptError {
  try {
    validateConversation(input);
  } catch (err) {
    if (err instanceof PromptError) return err;
    throw err;
  }
  throw new Error("expected a PromptError");
}

const u = (text = "q", extra: object = {}) => ({ role: "user", text, ...extra });
const a = (text = "ans", extra: object = {}) => ({ role: "assistant", text, ...extra });

describe("validateConversation", () => {
  it("accepts user, assistant, …, user with at most one image per user turn", () => {
    expect(() => validateConversation({ turns: [u("q", { image: 1 }), a(), u("q2", { image: 2 })] })).not.toThrow();
    expect(() => validateConversation({ system: "s", turns: [u("q", { image: null, options: ["x"] })] })).not.toThrow();
  });

  it.each([
    ["not an object", null, "invalid_conversation", "turns"],
    ["no turns array", { turns: "hi" }, "invalid_conversation", "turns"],
    ["system not a string", { system: 3, turns: [u()] }, "invalid_conversation", "system"],
    ["no turns", { turns: [] }, "empty_conversation", "turns"],
    ["unknown role", { turns: [{ role: "system", text: "x" }] }, "invalid_turn", "turns[0].role"],
    ["text not a string", { turns: [{ role: "user", text: 5 }] }, "invalid_turn", "turns[0].text"],
    ["starts with assistant", { turns: [a(), u()] }, "roles_not_alternating", "turns[0].role"],
    ["two user turns in a row", { turns: [u(), u()] }, "roles_not_alternating", "turns[1].role"],
    ["ends with assistant", { turns: [u(), a()] }, "last_turn_not_user", "turns[1]"],
    [
      "image on an assistant turn",
      { turns: [u(), a("x", { image: "i" }), u()] },
      "image_on_assistant_turn",
      "turns[1].image",
    ],
    ["five images", { turns: [u("q", { images: ["i", "j", "k", "l", "m"] })] }, "too_many_images", "turns[0].images"],
    ["image and images", { turns: [u("q", { image: "i", images: ["j"] })] }, "invalid_turn", "turns[0].images"],
    ["images not an array", { turns: [u("q", { images: "i" })] }, "invalid_turn", "turns[0].images"],
    ["a null among images", { turns: [u("q", { images: ["i", null] })] }, "invalid_turn", "turns[0].images"],
    [
      "images on an assistant turn",
      { turns: [u(), a("x", { images: ["i"] }), u()] },
      "image_on_assistant_turn",
      "turns[1].image",
    ],
    [
      "options on an assistant turn",
      { turns: [u(), a("x", { options: ["o"] }), u()] },
      "options_on_assistant_turn",
      "turns[1].options",
    ],
    ["options not strings", { turns: [u("q", { options: ["a", 2] })] }, "invalid_turn", "turns[0].options"],
  ])("rejects %s", (_name, input, code, param) => {
    const err = errorOf(input);
    expect(err.code).toBe(code);
    expect(err.param).toBe(param);
    expect(err.message.length).toBeGreaterThan(10);
  });
});
