import type { Page } from "playwright-core";
import { expect } from "vitest";

/**
 * Installed in the page (a string: the page's Content-Security-Policy refuses evaluated code, and
 * init scripts are not subject to it). `next()` says which element the next Tab must focus, from
 * the page as it is now (the console and the order page re-render while they poll), and notes its
 * unfocused outline and shadow; `landed()` says where the focus went and whether it shows.
 *
 * The tab stops are the visible, enabled a[href], button, input, select, textarea and summary
 * elements (a tabindex of -1 on one of them is a skipped control, not an exemption) and the other
 * [tabindex] elements but those at -1, in document order (no positive tabindex is allowed), a
 * radio group being one stop (its checked radio, else its first), as the HTML focus order makes
 * them.
 */
const keyboardScript = `{
  const controls = 'a[href], button, input:not([type="hidden"]), select, textarea, summary';
  const candidates = controls + ", [tabindex]";
  const look = (element) => {
    const style = getComputedStyle(element);
    const outline = style.outlineStyle === "none" || parseFloat(style.outlineWidth) === 0
      ? "none" : style.outlineStyle + " " + style.outlineWidth + " " + style.outlineColor;
    return outline + " | " + style.boxShadow;
  };
  const stops = () => [...document.querySelectorAll(candidates)].filter((element) => {
    // tabindex="-1" takes a heading or a region out of the order on purpose; on a control it
    // would hide the control from the keyboard, so controls stay expected.
    if (element.getAttribute("tabindex") === "-1" && !element.matches(controls)) return false;
    if (element.disabled || element.closest("[inert]")) return false;
    if (!element.checkVisibility({ visibilityProperty: true }) || element.getClientRects().length === 0) return false;
    if (element.type === "radio" && element.name) {
      const group = [...(element.form ?? document).querySelectorAll('input[type="radio"]')].filter(
        (radio) => radio.name === element.name && !radio.disabled,
      );
      const checked = group.find((radio) => radio.checked);
      return element === (checked ?? group[0]);
    }
    return true;
  });
  const describe = (element) => {
    if (!element || element === document.body) return "(nothing: the page let the focus go)";
    const name = (element.getAttribute("aria-label") ?? element.labels?.[0]?.textContent ?? element.textContent ?? "")
      .replace(/\\s+/g, " ").trim().slice(0, 60);
    return element.tagName.toLowerCase() + (element.type ? "[" + element.type + "]" : "") + ' "' + name + '"';
  };
  let expected = null;
  let unfocused = "";
  window.__keyboard = {
    positiveTabindex: () => [...document.querySelectorAll("[tabindex]")].filter((element) => element.tabIndex > 0).map(describe),
    next() {
      const list = stops();
      const active = document.activeElement;
      const at = list.indexOf(active);
      if (at >= 0) expected = list[at + 1] ?? null;
      else if (!active || active === document.body) expected = list[0] ?? null;
      // The focus is on something that is not a stop (a heading focused on navigation): the next
      // stop is the first one after it.
      else expected = list.find((element) => active.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING) ?? null;
      unfocused = expected ? look(expected) : "";
      return { expected: describe(expected), end: expected === null };
    },
    landed() {
      const active = document.activeElement;
      return {
        same: active === expected || (expected === null && (active === document.body || active === null)),
        active: describe(active),
        focused: active && active !== document.body ? look(active) : "",
        unfocused,
      };
    },
  };
}`;

/** Makes every document the page loads from now on able to answer `tabThrough`. */
export async function watchKeyboard(page: Page): Promise<void> {
  await page.addInitScript({ content: keyboardScript });
}

/**
 * Tabs from the top of the page to its end: each Tab must focus the next stop (none skipped,
 * none out of order), each stop must show a focus indicator (its outline or shadow differs from
 * the unfocused one, and is not nothing), and the Tab after the last stop must leave the page (no
 * trap). Answers how many stops there were.
 */
export async function tabThrough(page: Page, name: string): Promise<number> {
  // Start from the top, as a freshly loaded page does: nothing focused, the caret at the start.
  await page.evaluate("document.activeElement?.blur(); window.scrollTo(0, 0)");
  await page.mouse.click(1, 1);
  await page.evaluate("document.activeElement?.blur()");
  expect(await page.evaluate("window.__keyboard.positiveTabindex()"), `${name}: positive tabindex`).toEqual(
    [],
  );
  const problems: string[] = [];
  let stops = 0;
  for (; stops < 400; stops++) {
    const { expected, end } = (await page.evaluate("window.__keyboard.next()")) as {
      expected: string;
      end: boolean;
    };
    await page.keyboard.press("Tab");
    const landed = (await page.evaluate("window.__keyboard.landed()")) as {
      same: boolean;
      active: string;
      focused: string;
      unfocused: string;
    };
    if (!landed.same) {
      problems.push(`${name}: after stop ${stops}, Tab went to ${landed.active} instead of ${expected}`);
      break;
    }
    if (end) break;
    if (landed.focused === landed.unfocused || landed.focused.startsWith("none | none"))
      problems.push(`${name}: ${landed.active} shows no focus (${landed.focused})`);
  }
  expect(problems).toEqual([]);
  expect(stops, `${name}: no more than 400 stops`).toBeLessThan(400);
  return stops;
}
