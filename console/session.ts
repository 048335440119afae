/**
 * The operator's session in this tab: an access token, from the sign-in form, or handed over
 * once in the URL (`/console/?token=…`, as the dev command prints it) and then removed from it.
 * Kept in sessionStorage so it dies with the tab.
 */
const KEY = "equilibrium.access-token";

export function accessToken(): string | null {
  const handed = new URLSearchParams(location.search).get("token");
  if (handed) {
    sessionStorage.setItem(KEY, handed);
    history.replaceState(null, "", location.pathname + location.hash);
  }
  return sessionStorage.getItem(KEY);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/** Password + TOTP sign-in (operators and admins); behind Cloudflare Access, the assertion alone. */
export async function signIn(
  form: { email: string; password: string; totp: string } | "cloudflare_access",
): Promise<string | null> {
  const body =
    form === "cloudflare_access"
      ? { grant_type: "cloudflare_access" }
      : { grant_type: "password", email: form.email, password: form.password, totp: form.totp || undefined };
  const res = await fetch("/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { access_token?: string; detail?: string };
  if (!res.ok || !answer.access_token) throw new Error(answer.detail ?? `sign-in failed (${res.status})`);
  sessionStorage.setItem(KEY, answer.access_token);
  return answer.access_token;
}
