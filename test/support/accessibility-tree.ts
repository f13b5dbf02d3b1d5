import type { CDPSession, Page } from 'playwright-core';

/** One node of Chromium's accessibility tree, as the DevTools protocol gives it. */
interface AXNode {
  ignored: boolean;
  backendDOMNodeId?: number;
  role?: { value: string };
  name?: {
    value: string;
    sources?: Array<{ type: string; attribute?: string; value?: unknown; superseded?: boolean }>;
  };
  properties?: Array<{ name: string; value: { value: unknown } }>;
}

/** A heading or a field as a screen reader is told it. */
export interface AXEntry {
  role: string;
  name: string;
  level?: number;
  /** Where the name came from: `attribute:aria-label`, `placeholder:placeholder`, `contents`… */
  from?: string;
  /** A field a form cannot be sent without (`aria-required`, `required`). */
  required?: true;
  /** A heading's text as the page shows it (its element's `innerText`, spaces collapsed). */
  text?: string;
}

const FIELD_ROLES = new Set(['textbox', 'searchbox', 'combobox', 'spinbutton', 'listbox']);

/**
 * The page's headings and form fields, in document order, from Chromium's own accessibility
 * tree (what assistive technology reads), not from the markup.
 */
export async function accessibilityTree(page: Page): Promise<AXEntry[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    const entries: AXEntry[] = [];
    for (const n of nodes) {
      const role = n.role?.value ?? '';
      if (n.ignored || (role !== 'heading' && !FIELD_ROLES.has(role))) continue;
      const used = n.name?.sources?.find((s) => s.value !== undefined && !s.superseded);
      const level = n.properties?.find((p) => p.name === 'level')?.value.value;
      const required = n.properties?.find((p) => p.name === 'required')?.value.value === true;
      entries.push({
        role,
        name: n.name?.value ?? '',
        ...(typeof level === 'number' ? { level } : {}),
        ...(required ? { required: true as const } : {}),
        ...(used ? { from: used.attribute ? `${used.type}:${used.attribute}` : used.type } : {}),
        ...(role === 'heading' && n.backendDOMNodeId !== undefined
          ? { text: await shownText(cdp, n.backendDOMNodeId) }
          : {}),
      });
    }
    return entries;
  } finally {
    await cdp.detach();
  }
}

/** The element's `innerText` (what it shows, with the spaces its layout puts between parts),
 * each run of white space one space, trimmed. */
async function shownText(cdp: CDPSession, backendNodeId: number): Promise<string> {
  const { object } = (await cdp.send('DOM.resolveNode', { backendNodeId })) as {
    object: { objectId: string };
  };
  const { result } = (await cdp.send('Runtime.callFunctionOn', {
    objectId: object.objectId,
    functionDeclaration: 'function () { return this.innerText.replace(/\\s+/g, " ").trim(); }',
    returnByValue: true,
  })) as { result: { value: string } };
  return result.value;
}

/**
 * Headings whose accessible name is not the text they show: a control inside one (Swagger UI's
 * tag toggle, named by its `title` "Collapse operation") is read into its name, so a screen
 * reader's list of headings says "chaos Collapse operation" for the heading that shows "chaos".
 */
export function headingsNamedOtherThanShown(entries: AXEntry[]): string[] {
  return entries
    .filter((e) => e.role === 'heading' && e.name !== e.text)
    .map((e) => `${JSON.stringify(e.name)} shows ${JSON.stringify(e.text)}`);
}

/** Headings that go down more than one level from the one before (h1 then h3). */
export function headingJumps(entries: AXEntry[]): string[] {
  const jumps: string[] = [];
  let previous = 0;
  for (const heading of entries.filter((e) => e.role === 'heading')) {
    if (heading.level! > previous + 1) {
      jumps.push(`${previous} -> ${heading.level}: ${heading.name}`);
    }
    previous = heading.level!;
  }
  return jumps;
}

/** Fields with no name, or named by their placeholder alone. */
export function placeholderNamed(entries: AXEntry[]): AXEntry[] {
  return entries.filter(
    (e) =>
      FIELD_ROLES.has(e.role) &&
      (e.name.trim() === '' || e.from?.startsWith('placeholder') === true),
  );
}

/**
 * The accessible names Chromium gives the elements of `role` inside the first element
 * `selector` matches (a table's cells: what a screen reader announces for each).
 */
export async function accessibleNames(
  page: Page,
  selector: string,
  role: string,
): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { result } = (await cdp.send('Runtime.evaluate', {
      expression: `document.querySelector(${JSON.stringify(selector)})`,
    })) as { result: { objectId?: string } };
    if (!result.objectId) throw new Error(`nothing on the page matches ${selector}`);
    const { nodes } = (await cdp.send('Accessibility.queryAXTree', {
      objectId: result.objectId,
      role,
    })) as { nodes: AXNode[] };
    return nodes.filter((n) => !n.ignored).map((n) => n.name?.value ?? '');
  } finally {
    await cdp.detach();
  }
}
