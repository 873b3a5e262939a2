// GET /docs: an API reference rendered on the server from the OpenAPI document, so it works
// offline and with no third-party script: every operation with its parameters and errors.
import { html, raw } from "hono/html";

type Json = Record<string, unknown>;

function operations(doc: Json) {
  const out: { method: string; path: string; op: Json }[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) out.push({ method: method.toUpperCase(), path, op: op as Json });
  }
  return out;
}

export function docsPage(doc: Json) {
  const info = (doc.info ?? {}) as Json;
  const ops = operations(doc);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${String(info.title ?? "API")} reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}.op{border-top:1px solid #ddd;padding:.6rem 0}
.m{display:inline-block;min-width:4.5rem;font-weight:700}.d{white-space:pre-wrap;color:#444}</style></head>
<body><h1>${String(info.title ?? "API")} <small>${String(info.version ?? "")}</small></h1>
<p>Machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1; load it into any OpenAPI tool).</p>
<div class="d">${String(info.description ?? "")}</div>
${raw(ops.map(({ method, path, op }) => `<div class="op" id="${escapeHtml(String(op.operationId ?? ""))}"><span class="m">${method}</span><code>${escapeHtml(path)}</code> — <strong>${escapeHtml(String(op.summary ?? ""))}</strong><div class="d">${escapeHtml(String(op.description ?? ""))}</div></div>`).join(""))}
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
