import { render } from "preact";
import { LocationProvider, lazy, Route, Router } from "preact-iso";
import { useSession } from "./api/session.ts";
import { NotificationsLink } from "./components/notifications-link.tsx";
import { AccountPage } from "./pages/account.tsx";
import { CartPage } from "./pages/cart.tsx";
import { CheckoutPage } from "./pages/checkout.tsx";
import { Home } from "./pages/home.tsx";
import { NotificationsPage } from "./pages/notifications.tsx";
import { OrderPage } from "./pages/order.tsx";
import { OrdersPage } from "./pages/orders.tsx";
import { ProductPage } from "./pages/product.tsx";
import { Search } from "./pages/search.tsx";
import "./styles.css";

const Console = lazy(() => import("./console/console.tsx"));

/** The client routes; the gateway answers index.html for exactly these paths (see apps/web/README.md). */
function App() {
  const session = useSession();
  return (
    <LocationProvider>
      <header>
        <nav aria-label="Main">
          <a class="brand" href="/">
            Mercato
          </a>
          <a href="/search">Search</a>
          <a href="/cart">Cart</a>
          <a href="/orders">Orders</a>
          {session && <NotificationsLink userId={session.user.id} />}
          {session?.user.roles.includes("admin") && <a href="/console">Console</a>}
          <a href="/account">{session ? session.user.name : "Sign in"}</a>
        </nav>
      </header>
      <main>
        <Router>
          <Route path="/" component={Home} />
          <Route path="/search" component={Search} />
          <Route path="/products/:id" component={ProductPage} />
          <Route path="/cart" component={CartPage} />
          <Route path="/checkout" component={CheckoutPage} />
          <Route path="/orders" component={OrdersPage} />
          <Route path="/orders/:id" component={OrderPage} />
          <Route path="/notifications" component={NotificationsPage} />
          <Route path="/account" component={AccountPage} />
          <Route path="/console" component={Console} />
          <Route path="/console/*" component={Console} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </LocationProvider>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        <a href="/">Back to the shop</a>
      </p>
    </>
  );
}

const root = document.getElementById("app");
if (root) render(<App />, root);
