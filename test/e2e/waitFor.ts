// Polling helpers for e2e tests: what the page shows changes on its own time, so tests wait for
// a condition with a deadline and, on failure, say what they saw last.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

export async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMilliseconds = 60000): Promise<T> {
  const deadline = Date.now() + timeoutMilliseconds;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) {
      assert.fail(`${what} within ${timeoutMilliseconds} ms; last seen: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    value = await read();
  }
  return value;
}

/** The aria-labels of the rows (those drawn: lists are virtual) of one view of the side bar, by the start of its title. */
export function viewRows(page: Page, viewName: string): () => Promise<string[]> {
  return () => page.locator(`.pane:has(.pane-header[aria-label^="${viewName}"]) .monaco-list-row`).evaluateAll((elements) => elements.map((element) => element.getAttribute('aria-label') ?? ''));
}

/** The texts of the status bar's items. */
export function statusBarTexts(page: Page): Promise<string[]> {
  return page.locator('.statusbar .statusbar-item').evaluateAll((elements) => elements.map((element) => (element.textContent ?? '').trim()).filter(Boolean));
}
