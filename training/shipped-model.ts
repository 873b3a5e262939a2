// Where the trained model users meet first is committed (training/README.md says how it is made).
import { join } from "node:path";

export const SHIPPED_MODEL_DIR = join(__dirname, "..", "models", "mmgpt-shapes");
