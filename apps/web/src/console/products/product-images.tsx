import { useState } from "preact/hooks";
import { api } from "../../api/client.ts";
import type { components } from "../../api/openapi-types.ts";
import { Empty, ErrorNote } from "../../components/feedback.tsx";
import { send } from "../send.ts";

type Product = components["schemas"]["Product"];

const imageTypes = ["image/png", "image/jpeg", "image/webp"];

export function Images({ product, onChange }: { product: Product; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function upload(event: SubmitEvent) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const file = new FormData(form).get("image");
    setError(null);
    setNote(null);
    if (!(file instanceof File) || file.size === 0) return setError("Choose an image file first.");
    if (!imageTypes.includes(file.type)) return setError("The image must be a PNG, JPEG or WebP file.");
    setBusy(true);
    // The API takes the file's bytes as the body, with the file's own content type.
    const answer = await send(
      api.POST("/api/products/{id}/images", {
        params: { path: { id: product.id } },
        body: file as unknown as string,
        bodySerializer: (body) => body,
        headers: { "content-type": file.type },
      }),
    );
    setBusy(false);
    if (answer.ok) {
      setNote(`Uploaded ${file.name}.`);
      form.reset();
      onChange();
    } else setError(answer.message);
  }

  return (
    <section aria-labelledby="product-images">
      <h2 id="product-images">Images</h2>
      {product.images.length === 0 ? (
        <Empty>No images yet.</Empty>
      ) : (
        <ul class="thumbs">
          {product.images.map((url, index) => (
            <li key={url}>
              <img src={url} alt={`${product.name} (${index + 1} of ${product.images.length})`} />
            </li>
          ))}
        </ul>
      )}
      <form class="actions" onSubmit={upload} aria-label="Upload an image">
        <label>
          Image file (PNG, JPEG or WebP, up to 5 MiB)
          <input type="file" name="image" accept={imageTypes.join(",")} />
        </label>
        <button type="submit" disabled={busy}>
          Upload image
        </button>
      </form>
      <ErrorNote message={error} />
      {note && <p role="status">{note}</p>}
    </section>
  );
}
