import { answer, type Body, createEquilibriumClient } from "../client";

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
export async function signIn(form: { email: string; password: string; totp: string } | "cloudflare_access"): Promise<string> {
  const body: Body<"/v1/auth/token", "post"> =
    form === "cloudflare_access"
      ? { grant_type: "cloudflare_access" }
      : { grant_type: "password", email: form.email, password: form.password, totp: form.totp || undefined };
  // Not the console's own client: a refused sign-in is an answer here, not an expired session.
  const { access_token } = await answer(createEquilibriumClient({ baseUrl: "" }).POST("/v1/auth/token", { body }));
  sessionStorage.setItem(KEY, access_token);
  return access_token;
}
