// GET /docs: an interactive API reference rendered on the server from the OpenAPI document.
// It needs no network and no third-party script: every operation with its parameters, an
// example body, and a small form that sends the request with your key (docs-script.ts).
import { html, raw } from "hono/html";
import { DOCS_SCRIPT, DOCS_STYLE } from "./docs-assets";

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  op: Json;
}

function operations(doc: Json): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) out.push({ method: method.toUpperCase(), path, op: op as Json });
  }
  return out;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The JSON example of a request body, if the operation takes JSON. */
function exampleBody(op: Json): string | null {
  const json = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as
    | Json
    | undefined;
  if (!json) return null;
  const examples = json.examples as Record<string, { value: unknown }> | undefined;
  const value = json.example ?? (examples ? Object.values(examples)[0]?.value : undefined) ?? {};
  return JSON.stringify(value, null, 2);
}

function renderOperation({ method, path, op }: Operation): string {
  const params = ((op.parameters ?? []) as Json[]).filter((p) => p.in === "path" || p.in === "query");
  const body = exampleBody(op);
  const multipart = Boolean(
    ((op.requestBody as Json | undefined)?.content as Json | undefined)?.["multipart/form-data"],
  );
  const inputs = params
    .map((p) => {
      const name = escapeHtml(String(p.name));
      return `<label>${name}${p.required ? " *" : ""} <input data-in="${escapeHtml(String(p.in))}" name="${name}"></label>`;
    })
    .join(" ");
  return `<details class="op" id="${escapeHtml(String(op.operationId ?? ""))}">
<summary><span class="m ${method}">${method}</span> <code>${escapeHtml(path)}</code> — ${escapeHtml(String(op.summary ?? ""))}</summary>
<div class="d">${escapeHtml(String(op.description ?? ""))}</div>
<form class="try" data-method="${method}" data-path="${escapeHtml(path)}">${inputs}
${body !== null ? `<textarea name="body" rows="8">${escapeHtml(body)}</textarea>` : ""}
${multipart ? `<input type="file" name="file"> <label>purpose <input name="purpose" value="vision"></label>` : ""}
<button>Send</button><pre class="out"></pre></form></details>`;
}

export function docsPage(doc: Json) {
  const info = (doc.info ?? {}) as Json;
  const title = String(info.title ?? "API");
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${raw(DOCS_STYLE)}</style></head>
<body><h1>${title} <small>${String(info.version ?? "")}</small></h1>
<p>Machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<div class="d">${String(info.description ?? "")}</div>
<p><label>API key or admin token <input id="key" type="password" size="60" autocomplete="off"></label>
(kept in this page only; sent as <code>Authorization: Bearer …</code>)</p>
${raw(operations(doc).map(renderOperation).join("\n"))}
<script>${raw(DOCS_SCRIPT)}</script></body></html>`;
}
