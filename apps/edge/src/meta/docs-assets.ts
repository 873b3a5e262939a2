// Style and script of the /docs page, inline so the page works offline. The script turns each
// operation's form into a request (path and query parameters, JSON or multipart body).
export const DOCS_STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre,textarea{font:13px ui-monospace,monospace}.op{border-top:1px solid #ddd;padding:.5rem 0}
summary{cursor:pointer}.m{display:inline-block;min-width:4.5rem;font-weight:700}.GET{color:#17a}.POST{color:#2a7}
.DELETE{color:#c33}.d{white-space:pre-wrap;color:#444;margin:.4rem 0}textarea{width:100%;box-sizing:border-box}
.out{background:#f6f6f6;padding:.5rem;max-height:24rem;overflow:auto;white-space:pre-wrap}label{margin-right:.8rem}`;

export const DOCS_SCRIPT = `
for (const form of document.querySelectorAll("form.try")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const out = form.querySelector(".out");
    let path = form.dataset.path;
    const query = new URLSearchParams();
    for (const input of form.querySelectorAll("input[data-in]")) {
      if (!input.value) continue;
      if (input.dataset.in === "path") path = path.replace("{" + input.name + "}", encodeURIComponent(input.value));
      else query.set(input.name, input.value);
    }
    const headers = {};
    const key = document.getElementById("key").value;
    if (key) headers.authorization = "Bearer " + key;
    let body;
    const text = form.querySelector("textarea");
    const file = form.querySelector("input[type=file]");
    if (file) {
      body = new FormData();
      if (file.files[0]) body.append("file", file.files[0]);
      body.append("purpose", form.querySelector("input[name=purpose]").value);
    } else if (text) {
      headers["content-type"] = "application/json";
      body = text.value;
    }
    out.textContent = "…";
    try {
      const res = await fetch(path + (query.size ? "?" + query : ""), { method: form.dataset.method, headers, body });
      const raw = await res.text();
      let shown = raw;
      try { shown = JSON.stringify(JSON.parse(raw), null, 2); } catch {}
      out.textContent = res.status + " " + res.statusText + "\\n" + shown;
    } catch (error) {
      out.textContent = String(error);
    }
  });
}`;
