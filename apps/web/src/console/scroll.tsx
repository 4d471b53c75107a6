import type { ComponentChildren } from "preact";

/**
 * A table that may be wider than a phone's screen scrolls sideways on its own. It takes the focus
 * so that keyboard users can scroll it too (axe's scrollable-region-focusable), and is named so
 * that a screen reader says what the focus landed on.
 */
export function Scroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard.
    <section class="scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
