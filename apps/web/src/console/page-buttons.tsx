/**
 * Back and forward through a cursor-paged list. `cursors` holds the cursor of every page up to
 * this one (the first page's is undefined), so that going back needs no cursor from the API.
 */
export function PageButtons({
  cursors,
  nextCursor,
  onChange,
  previousLabel = "Previous page",
  nextLabel = "Next page",
}: {
  cursors: (string | undefined)[];
  nextCursor: string | null | undefined;
  onChange: (cursors: (string | undefined)[]) => void;
  previousLabel?: string;
  nextLabel?: string;
}) {
  return (
    <p class="row">
      {cursors.length > 1 && (
        <button type="button" class="secondary" onClick={() => onChange(cursors.slice(0, -1))}>
          {previousLabel}
        </button>
      )}
      {nextCursor && (
        <button type="button" class="secondary" onClick={() => onChange([...cursors, nextCursor])}>
          {nextLabel}
        </button>
      )}
    </p>
  );
}
