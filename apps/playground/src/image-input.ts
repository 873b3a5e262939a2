// The image for the next turn: chosen with the file picker, dropped on the composer, or pasted.
// Holds one File until the turn is sent, with a preview and a remove button.

export interface ImageInput {
  /** The pending image, if any. */
  readonly file: File | null;
  clear(): void;
}

interface Elements {
  /** The visible button that opens the (hidden) file input. */
  choose: HTMLButtonElement;
  picker: HTMLInputElement;
  dropZone: HTMLElement;
  preview: HTMLElement;
  previewImage: HTMLImageElement;
  previewName: HTMLElement;
  remove: HTMLButtonElement;
}

export function bindImageInput(el: Elements, onChange: (file: File | null) => void): ImageInput {
  let file: File | null = null;
  let objectUrl: string | null = null;

  const set = (next: File | null) => {
    file = next;
    if (objectUrl) URL.revokeObjectURL(objectUrl);
    objectUrl = next ? URL.createObjectURL(next) : null;
    el.preview.hidden = !next;
    el.previewImage.src = objectUrl ?? "";
    el.previewName.textContent = next ? `${next.name || "pasted image"} (${Math.ceil(next.size / 1024)} KB)` : "";
    if (!next) el.picker.value = "";
    onChange(next);
  };

  el.choose.addEventListener("click", () => el.picker.click());
  el.picker.addEventListener("change", () => set(el.picker.files?.[0] ?? null));
  el.remove.addEventListener("click", () => set(null));

  el.dropZone.addEventListener("dragover", (e) => {
    if (!e.dataTransfer?.types.includes("Files")) return;
    e.preventDefault();
    el.dropZone.classList.add("dragging");
  });
  el.dropZone.addEventListener("dragleave", () => el.dropZone.classList.remove("dragging"));
  el.dropZone.addEventListener("drop", (e) => {
    el.dropZone.classList.remove("dragging");
    const dropped = e.dataTransfer?.files?.[0];
    if (!dropped) return;
    e.preventDefault();
    set(dropped);
  });
  document.addEventListener("paste", (e) => {
    const pasted = [...(e.clipboardData?.files ?? [])].find((f) => f.type.startsWith("image/"));
    if (!pasted) return;
    e.preventDefault();
    set(pasted);
  });

  return {
    get file() {
      return file;
    },
    clear: () => set(null),
  };
}
