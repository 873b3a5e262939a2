// Where webhooks may be sent: https only, except plain-http loopback (127.0.0.1, localhost,
// [::1]) when WEBHOOKS_ALLOW_LOOPBACK is "true" (local development and tests only). Checked on
// creation and again before every attempt, so turning the flag off stops loopback deliveries.

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function webhookUrlProblem(url: string, allowLoopback: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be an absolute URL";
  }
  if (parsed.username || parsed.password) return "must not contain credentials";
  if (parsed.protocol === "https:") return null;
  const loopback = parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname);
  if (loopback && allowLoopback) return null;
  return "must be an https:// URL";
}
