import type { Page } from 'playwright-core';

/** One node of Chromium's accessibility tree, as the DevTools protocol gives it. */
interface AXNode {
  ignored: boolean;
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
    return nodes
      .filter(
        (n) => !n.ignored && (n.role?.value === 'heading' || FIELD_ROLES.has(n.role?.value ?? '')),
      )
      .map((n) => {
        const used = n.name?.sources?.find((s) => s.value !== undefined && !s.superseded);
        const level = n.properties?.find((p) => p.name === 'level')?.value.value;
        return {
          role: n.role!.value,
          name: n.name?.value ?? '',
          ...(typeof level === 'number' ? { level } : {}),
          ...(used ? { from: used.attribute ? `${used.type}:${used.attribute}` : used.type } : {}),
        };
      });
  } finally {
    await cdp.detach();
  }
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
