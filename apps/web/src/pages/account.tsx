import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api } from "../api/client.ts";
import { problemMessage } from "../api/problems.ts";
import { setSession, useSession } from "../api/session.ts";
import { ErrorNote } from "../components/feedback.tsx";

export function AccountPage() {
  const session = useSession();
  const location = useLocation();
  const [mode, setMode] = useState<"signin" | "signup">("signin");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const next = location.query.next?.startsWith("/") ? location.query.next : "/";

  if (session) {
    return (
      <>
        <h1>Your account</h1>
        <p>
          Signed in as {session.user.name} ({session.user.email}).
        </p>
        <button type="button" onClick={() => setSession(null)}>
          Sign out
        </button>
      </>
    );
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    setBusy(true);
    setError(null);
    const answer = await (mode === "signup"
      ? api.POST("/api/auth/register", { body: { email, password, name: String(form.get("name") ?? "") } })
      : api.POST("/api/auth/login", { body: { email, password } })
    ).catch((failure: unknown) => ({ data: undefined, error: failure }));
    setBusy(false);
    if (!answer.data) {
      setError(problemMessage(answer.error));
      return;
    }
    const { user, accessToken, refreshToken } = answer.data;
    setSession({ user, accessToken, refreshToken });
    location.route(next);
  }

  return (
    <>
      <h1>{mode === "signup" ? "Create an account" : "Sign in"}</h1>
      <form class="stack narrow" onSubmit={submit}>
        {mode === "signup" && (
          <label>
            Name
            <input name="name" autocomplete="name" required />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label>
          Password {mode === "signup" && <span class="muted">(at least 8 characters)</span>}
          <input
            name="password"
            type="password"
            minLength={mode === "signup" ? 8 : undefined}
            autocomplete={mode === "signup" ? "new-password" : "current-password"}
            required
          />
        </label>
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          {mode === "signup" ? "Create account" : "Sign in"}
        </button>
      </form>
      <p>
        {mode === "signup" ? "Already have an account? " : "New here? "}
        <button type="button" class="link" onClick={() => setMode(mode === "signup" ? "signin" : "signup")}>
          {mode === "signup" ? "Sign in" : "Create an account"}
        </button>
      </p>
    </>
  );
}
