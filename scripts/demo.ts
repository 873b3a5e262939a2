// A short visual conversation through the SDK, printed turn by turn. Run `npm start` first, then
// `npm run demo` (reads MMGPT_BASE_URL and MMGPT_API_KEY from the environment, as printed by
// `npm start`). With the generated tiny model the replies are random text; the flow is real.
import { deflateSync } from "node:zlib";
import { imagePart, MMGPT, textPart } from "../packages/sdk/src/index.js";

/** A 96x64 PNG with a sky, a sun and grass, so the demo needs no image file. */
function sceneryPng(): Uint8Array {
  const w = 96;
  const h = 64;
  const rows = Buffer.alloc(h * (1 + w * 3));
  for (let y = 0; y < h; y++) {
    rows[y * (1 + w * 3)] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const sun = (x - 70) ** 2 + (y - 16) ** 2 < 100;
      const rgb = sun ? [250, 210, 40] : y > 44 ? [40, 150, 60] : [110, 170, 240];
      rows.set(rgb, y * (1 + w * 3) + 1 + x * 3);
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const byte of b) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const sig = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([sig, chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

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
    { text: "How many suns are in the picture?", image: false },
    { text: "What colour is the grass?", image: false },
  ];
  for (const turn of turns) {
    const content = turn.image ? [textPart(turn.text), await imagePart(sceneryPng())] : turn.text;
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
