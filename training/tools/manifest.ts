// Writes manifest.json (size + sha256 of every file) for directories export.py produced,
// with the runner's own writer, nested first (an adapter's lora/ carries its own).
//   tsx training/tools/manifest.ts DIR [DIR …]
import { writeManifest } from "../../apps/gpu-runner/src/convert/manifest.js";

for (const dir of process.argv.slice(2)) writeManifest(dir);
