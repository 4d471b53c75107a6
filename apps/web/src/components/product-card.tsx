import type { components } from "../api/openapi-types.ts";
import { Price } from "./money.tsx";

export type Product = components["schemas"]["Product"];

export function ProductCard({ product }: { product: Product }) {
  const image = product.images[0];
  return (
    <li class="card">
      <a href={`/products/${product.id}`}>
        {image ? <img src={image} alt="" loading="lazy" /> : <div class="placeholder" aria-hidden="true" />}
        <span class="name">{product.name}</span>
      </a>
      <Price money={product.price} />
      <span class={product.inStock ? "stock in" : "stock out"}>
        {product.inStock ? "In stock" : "Out of stock"}
      </span>
    </li>
  );
}

export function ProductGrid({ products }: { products: Product[] }) {
  return (
    <ul class="grid" aria-label="Products">
      {products.map((product) => (
        <ProductCard key={product.id} product={product} />
      ))}
    </ul>
  );
}
