import { useEffect, useRef } from "preact/hooks";
import { Route, Router, useLocation } from "preact-iso";
import { useSession } from "../api/session.ts";
import { Alerts } from "./alerts.tsx";
import { ApiKeys } from "./api-keys.tsx";
import { OrderDetail } from "./orders/order-detail.tsx";
import { Orders } from "./orders/order-list.tsx";
import { PatternPlayground } from "./pattern-playground.tsx";
import { ProductDetail } from "./products/product-detail.tsx";
import { Products } from "./products/product-list.tsx";
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
  useHeadingFocusOnNavigation();
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

/**
 * Switching sections replaces the content without a page load, which leaves the focus on the
 * menu link (or, when the link was part of the old content, nowhere) and tells a screen reader
 * nothing: the focus moves to the new section's heading, as a page load would start from the top.
 * A detail page names itself once its data has come, so its heading is waited for, unless the
 * user has put the focus somewhere meanwhile. Not on the first render: there the browser's own
 * start applies.
 */
function useHeadingFocusOnNavigation() {
  const { path } = useLocation();
  const previous = useRef(path);
  useEffect(() => {
    if (previous.current === path) return;
    previous.current = path;
    const main = document.querySelector("main");
    if (!main) return;
    const focusHeading = () => {
      const heading = main.querySelector<HTMLElement>("h1");
      if (!heading) return false;
      heading.tabIndex = -1;
      heading.focus();
      return true;
    };
    if (focusHeading()) return;
    const observer = new MutationObserver(() => {
      const focusIsFree = document.activeElement === null || document.activeElement === document.body;
      if (!focusIsFree || focusHeading()) observer.disconnect();
    });
    observer.observe(main, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [path]);
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
