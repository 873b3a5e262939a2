// The API key lives in this browser only (localStorage), never in the page or the URL; the
// key form saves it and "Forget key" removes it.

const STORAGE_KEY = "mmgpt.playground.apiKey";

export function loadKey(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled (private mode, policies): the key lasts for the page only
  }
}

export function saveKey(key: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, key);
  } catch {
    // see loadKey
  }
}

export function forgetKey(): void {
  try {
    localStorage.removeItem(STORAGE_KEY);
  } catch {
    // see loadKey
  }
}
