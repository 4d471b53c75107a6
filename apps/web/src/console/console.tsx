import { Route, Router, useLocation } from "preact-iso";
import { useSession } from "../api/session.ts";
import { Alerts } from "./alerts.tsx";
import { ApiKeys } from "./api-keys.tsx";
import { OrderDetail, Orders } from "./orders.tsx";
import { PatternPlayground } from "./pattern-playground.tsx";
import { ProductDetail, Products } from "./products.tsx";
import { Queues } from "./queues.tsx";
import { EventLog, Rules } from "./rules.tsx";
import { WebhookDetail, Webhooks } from "./webhooks.tsx";
import "./console.css";

const sections = [
  { href: "/console", label: "Queues and events" },
  { href: "/console/orders", label: "Orders" },
  { href: "/console/products", label: "Products" },
  { href: "/console/webhooks", label: "Webhooks" },
  { href: "/console/api-keys", label: "API keys" },
];

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
      <ConsoleNav />
      <Router>
        <Route path="/" component={Overview} />
        <Route path="/orders" component={Orders} />
        <Route path="/orders/:id" component={OrderDetail} />
        <Route path="/products" component={Products} />
        <Route path="/products/:id" component={ProductDetail} />
        <Route path="/webhooks" component={Webhooks} />
        <Route path="/webhooks/:id" component={WebhookDetail} />
        <Route path="/api-keys" component={ApiKeys} />
        <Route default component={UnknownSection} />
      </Router>
    </>
  );
}

function ConsoleNav() {
  const { path } = useLocation();
  const current = (href: string) =>
    href === "/console" ? path === href : path === href || path.startsWith(`${href}/`);
  return (
    <nav aria-label="Console" class="console-nav">
      {sections.map((section) => (
        <a key={section.href} href={section.href} aria-current={current(section.href) ? "page" : undefined}>
          {section.label}
        </a>
      ))}
    </nav>
  );
}

function Overview() {
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

function UnknownSection() {
  return (
    <>
      <h1>No such console page</h1>
      <p>
        <a href="/console">Back to the console</a>
      </p>
    </>
  );
}
