import fs from "node:fs/promises";
import { checkoutSaga } from "../src/domain/checkout-saga.ts";
import { withSagaTable } from "../src/domain/saga-docs.ts";

const page = new URL("../../../docs/checkout-saga.md", import.meta.url);
await fs.writeFile(page, withSagaTable(await fs.readFile(page, "utf8"), checkoutSaga));
console.log(`wrote the checkout saga's ${checkoutSaga.length} steps to ${page.pathname}`);
