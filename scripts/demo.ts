// A short visual conversation through the SDK, printed turn by turn. Run `npm start` first, then
// `npm run demo` (reads MMGPT_BASE_URL and MMGPT_API_KEY from the environment, as printed by
// `npm start`). The picture is from the shapes world the default model was trained on
// (training/README.md); with the seeded tiny model the replies are random text, the flow is real.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { imagePart, MMGPT, textPart } from "../packages/sdk/src/index.js";

/** scripts/example.png: a shapes-world picture (a red circle, a blue square, a yellow triangle). */
const examplePng = () => new Uint8Array(readFileSync(join(import.meta.dirname, "example.png")));

async function main(): Promise<void> {
  if (!process.env.MMGPT_BASE_URL || !process.env.MMGPT_API_KEY) {
    console.error("Set MMGPT_BASE_URL and MMGPT_API_KEY (npm start prints both), then run again.");
    process.exit(2);
  }
  const client = new MMGPT();
  const conversation = await client.conversations.create({ metadata: { source: "demo" } });
  console.log(`conversation ${conversation.id}\n`);
  const turns = [
    { text: "Describe this image in detail.", image: true },
    { text: "How many triangles are there?", image: false },
    { text: "What color is the circle?", image: false },
  ];
  for (const turn of turns) {
    const content = turn.image ? [textPart(turn.text), await imagePart(examplePng())] : turn.text;
    console.log(`user${turn.image ? " [+ image]" : ""}: ${turn.text}`);
    process.stdout.write("assistant: ");
    const stream = await client.conversations.messages.create(conversation.id, {
      content,
      max_tokens: 48,
      stream: true,
    });
    for await (const event of stream) {
      if (event.object === "conversation.message.delta") process.stdout.write(event.delta.content);
    }
    const usage = stream.finalUsage;
    console.log(
      `\n  (${usage?.completion_tokens ?? "?"} tokens; ${usage?.prompt_tokens_details?.cached_tokens ?? 0} of ${usage?.prompt_tokens ?? "?"} prompt tokens from the runner's cache)\n`,
    );
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
