// The playground page: wires the key form, the image input, the parameters panel and the
// transcript to one ChatSession. Enter sends, Shift+Enter is a new line, Escape stops a reply.
import { imagePart, MMGPT, textPart } from "@mmgpt/sdk";
import { ChatSession, messageText } from "./chat-session";
import { errorText } from "./error-text";
import { bindImageInput } from "./image-input";
import { forgetKey, loadKey, saveKey } from "./key-store";
import { bindParams } from "./params";
import { bindTranscript } from "./transcript";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let apiKey = loadKey();
let client: MMGPT | null = null;
// Retries are off: the page shows a 429's wait or a 503 at once instead of waiting silently.
const getClient = () => {
  client ??= new MMGPT({ apiKey: apiKey ?? "", baseURL: location.origin, maxRetries: 0 });
  return client;
};
const session = new ChatSession(getClient);

const keyInput = $<HTMLInputElement>("api-key");
const keyStatus = $("key-status");
const forgetButton = $<HTMLButtonElement>("forget-key");
const message = $<HTMLTextAreaElement>("message");
const sendButton = $<HTMLButtonElement>("send");
const stopButton = $<HTMLButtonElement>("stop");
const errorBox = $("error");
const promptView = $("prompt");
const conversationStatus = $("conversation-id");

const transcript = bindTranscript($("transcript"), $("empty"));
const params = bindParams($<HTMLFormElement>("params"), $("beams-note"));
const image = bindImageInput(
  {
    choose: $<HTMLButtonElement>("choose-image"),
    picker: $<HTMLInputElement>("image-picker"),
    dropZone: document.querySelector<HTMLElement>(".chat")!,
    preview: $("preview"),
    previewImage: $<HTMLImageElement>("preview-image"),
    previewName: $("preview-name"),
    remove: $<HTMLButtonElement>("remove-image"),
  },
  () => message.focus(),
);

function showError(text: string | null): void {
  errorBox.hidden = text === null;
  errorBox.textContent = text ?? "";
}

function showKeyState(): void {
  keyInput.value = apiKey ?? "";
  forgetButton.hidden = !apiKey;
  keyStatus.textContent = apiKey
    ? "Key saved in this browser. It is sent only to this API."
    : "Enter an API key to chat. It stays in this browser (localStorage).";
}

function setBusy(busy: boolean): void {
  sendButton.disabled = busy;
  stopButton.hidden = !busy;
  document.body.classList.toggle("busy", busy);
}

$<HTMLFormElement>("key-form").addEventListener("submit", (e) => {
  e.preventDefault();
  apiKey = keyInput.value.trim() || null;
  if (apiKey) saveKey(apiKey);
  client = null;
  showKeyState();
  message.focus();
});

forgetButton.addEventListener("click", () => {
  forgetKey();
  apiKey = null;
  client = null;
  showKeyState();
  keyInput.focus();
});

async function send(): Promise<void> {
  if (session.busy) return;
  const text = message.value.trim();
  const file = image.file;
  if (!apiKey) return showError("Enter your API key first (top of the page).");
  if (!text && !file) return showError("Write a message or add an image.");
  showError(null);

  let content: Parameters<ChatSession["send"]>[0];
  try {
    content = file ? [textPart(text), await imagePart(file)] : text;
  } catch (error) {
    return showError(errorText(error));
  }
  const sampling = params.read();
  const userView = transcript.addUser(text, file ? URL.createObjectURL(file) : null);
  const reply = transcript.addReply(sampling.num_beams > 1 ? "Beam search: the reply comes at the end…" : "…");
  promptView.textContent = session.promptFor(text, file !== null);
  message.value = "";
  image.clear();
  setBusy(true);
  try {
    const result = await session.send(content, { text, hasImage: file !== null }, sampling, reply.append);
    if (result.status === "completed") {
      const { usage, finish_reason, prompt } = result.message;
      // The API returns the exact prompt with the reply; the reconstruction only stands in before that.
      if (prompt) promptView.textContent = prompt;
      if (!messageText(result.message)) reply.append("(empty reply)");
      reply.done(`${usage?.completion_tokens ?? "?"} tokens · ${finish_reason ?? ""}`.trim());
    } else {
      reply.ended("Stopped. This turn is not kept in the conversation.");
      userView.classList.add("dropped");
    }
  } catch (error) {
    promptView.textContent = `(The request failed, so the model may not have run. The prompt it would have received:)\n\n${promptView.textContent}`;
    reply.ended("Failed. This turn is not kept in the conversation.");
    userView.classList.add("dropped");
    showError(errorText(error));
  } finally {
    setBusy(false);
    conversationStatus.textContent = session.id ? `Conversation ${session.id}` : "No conversation yet.";
    message.focus();
  }
}

$<HTMLFormElement>("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  void send();
});
message.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    void send();
  }
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && session.busy) {
    e.preventDefault();
    session.stop();
  }
});
stopButton.addEventListener("click", () => session.stop());

$("clear").addEventListener("click", () => {
  session.reset();
  transcript.clear();
  showError(null);
  promptView.textContent = "(nothing sent yet)";
  conversationStatus.textContent = "History cleared: the next message starts a new conversation.";
  message.focus();
});

showKeyState();
(apiKey ? message : keyInput).focus();
