import type { ComponentChildren } from "preact";
import { useSession } from "../api/session.ts";

/** Pages that belong to a user ask anonymous visitors to sign in, then bring them back. */
export function SignedIn({ next, children }: { next: string; children: ComponentChildren }) {
  const session = useSession();
  if (session) return <>{children}</>;
  return (
    <p>
      Please <a href={`/account?next=${encodeURIComponent(next)}`}>sign in or create an account</a> to
      continue.
    </p>
  );
}
