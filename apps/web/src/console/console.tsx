import { useSession } from "../api/session.ts";
import { Alerts } from "./alerts.tsx";
import { PatternPlayground } from "./pattern-playground.tsx";
import { Queues } from "./queues.tsx";
import { EventLog, Rules } from "./rules.tsx";

/** The operations console: loaded only when an admin opens it, so shoppers never download it. */
export default function Console() {
  const session = useSession();
  if (!session) {
    return (
      <p>
        Please <a href="/account?next=%2Fconsole">sign in</a> as an administrator.
      </p>
    );
  }
  if (!session.user.roles.includes("admin")) {
    return (
      <p class="error">The operations console is for administrators; you are signed in as a customer.</p>
    );
  }
  return (
    <>
      <h1>Operations</h1>
      <Alerts />
      <Queues />
      <Rules />
      <PatternPlayground />
      <EventLog />
    </>
  );
}
