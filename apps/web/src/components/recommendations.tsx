import type { components } from "../api/openapi-types.ts";
import { Price } from "./money.tsx";

export type Recommendation = components["schemas"]["Recommendation"];

/** Recommended products as compact cards, labelled by the list they are in. */
export function RecommendationGrid({ items, label }: { items: Recommendation[]; label: string }) {
  return (
    <ul class="grid small" aria-label={label}>
      {items.map(({ product }) => (
        <li class="card" key={product.id}>
          <a href={`/products/${product.id}`}>
            {product.image ? (
              <img src={product.image} alt="" loading="lazy" />
            ) : (
              <div class="placeholder" aria-hidden="true" />
            )}
            <span class="name">{product.name}</span>
          </a>
          <Price money={product.price} />
        </li>
      ))}
    </ul>
  );
}
