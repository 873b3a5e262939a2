// The chat transcript (role="log"): user turns with their image, and assistant replies that
// grow as deltas arrive. A reply is aria-busy while it streams, so screen readers announce it
// once, whole, instead of token by token.

export interface ReplyView {
  append(text: string): void;
  /** The reply is committed; `meta` is a short line (tokens, finish reason). */
  done(meta: string): void;
  /** The reply ended without being committed: stopped or failed. */
  ended(note: string): void;
}

export interface Transcript {
  addUser(text: string, imageUrl: string | null): HTMLElement;
  addReply(placeholder: string): ReplyView;
  clear(): void;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string) {
  const el = document.createElement(tag);
  el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export function bindTranscript(log: HTMLElement, empty: HTMLElement): Transcript {
  // The log follows new text while the reader is at its end; scrolled up, it stays put.
  const atEnd = () => log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  const toEnd = () => {
    log.scrollTop = log.scrollHeight;
  };
  const add = (el: HTMLElement) => {
    empty.hidden = true;
    log.append(el);
    toEnd();
    return el;
  };

  return {
    addUser(text, imageUrl) {
      const msg = element("article", "msg user");
      msg.append(element("h3", "who", "You"));
      if (imageUrl) {
        const img = element("img", "thumb");
        img.src = imageUrl;
        img.alt = "Attached to this message";
        img.addEventListener("error", () => img.replaceWith(element("p", "meta", "(this image cannot be displayed)")));
        msg.append(img);
      }
      msg.append(element("p", "text", text));
      return add(msg);
    },

    addReply(placeholder) {
      const msg = element("article", "msg assistant");
      msg.setAttribute("aria-busy", "true");
      const body = element("p", "text reply");
      const pending = element("span", "pending", placeholder);
      body.append(pending);
      const meta = element("p", "meta");
      msg.append(element("h3", "who", "MultiModal-GPT"), body, meta);
      add(msg);
      let text: Text | null = null;
      const finish = (line: string, kind: string) => {
        const follow = atEnd();
        pending.remove();
        meta.textContent = line;
        msg.classList.add(kind);
        msg.setAttribute("aria-busy", "false");
        if (follow) toEnd();
      };
      return {
        append(delta) {
          const follow = atEnd();
          if (!text) {
            pending.remove();
            text = document.createTextNode("");
            body.append(text);
          }
          text.appendData(delta);
          if (follow) toEnd();
        },
        done: (line) => finish(line, "done"),
        ended: (note) => finish(note, "ended"),
      };
    },

    clear() {
      log.replaceChildren();
      empty.hidden = false;
    },
  };
}
