/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import { useWords } from "./i18n";
import { signIn } from "./session";

/** Shown when the tab has no session: password + TOTP, or Cloudflare Access when the console sits behind it. */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useWords();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // Behind Cloudflare Access the request already carries an assertion: try it silently first.
    signIn("cloudflare_access")
      .then(onSignedIn)
      .catch(() => undefined);
  }, [onSignedIn]);
  const submit = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await signIn({
        email: String(data.get("email")),
        password: String(data.get("password")),
        totp: String(data.get("totp") ?? ""),
      });
      onSignedIn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit}>
        <h1>Equilibrium</h1>
        <p>{t("console.sign-in.intro")}</p>
        <label>
          Email <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <label>
          Authenticator code <input name="totp" inputmode="numeric" pattern="[0-9]{6}" autocomplete="one-time-code" />
        </label>
        {error && <p class="field-error">{error}</p>}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
