/**
 * /docs' a11y.js, loaded after Swagger UI's bundle and before init.js: what Swagger UI's markup
 * tells a screen reader, corrected where it misleads. Attributes only, on elements React
 * rendered (React leaves alone the attributes it did not set), so none of Swagger UI's code is
 * changed; set again after each render, as operations open and fields appear.
 *
 * 1. Heading levels. Swagger UI titles the page h1 and each tag h3 (no h2), an operation's
 *    sections h4 and h5, and the schemas h4 beside the tags. Each heading is given the level
 *    its place gives it (`aria-level`: one below the heading it comes under), the schemas' that
 *    of a tag.
 * 2. Field names. A parameter's field is named by its placeholder alone, gone once something is
 *    typed, and a request body's by nothing: each gets the name its row or section shows
 *    (`aria-label` "<name> (<in>)", "Request body"), and a request body the operation requires
 *    is marked so (`aria-required`): the section says it only in its heading's `::after` (3).
 * 3. Heading names. A heading is named by its content, and Chromium reads into that what its
 *    text does not say: the `title` of the button a tag's heading holds ("chaos Collapse
 *    operation" for the heading that shows "chaos", each tag alike in a screen reader's list of
 *    headings) and the `required` a style sheet's `::after` puts after a request body's
 *    ("Request bodyrequired"). Each heading is named by the text it shows (`aria-label`).
 */
export const DOCS_SCRIPT = `(() => {
  const root = document.getElementById('swagger-ui');
  const TAG_LEVEL = 3;

  function outline() {
    const open = [];
    for (const heading of root.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      const own = Number(heading.tagName[1]);
      const tag = heading.matches('section.models > h4') ? TAG_LEVEL : own;
      while (open.length > 0 && open[open.length - 1].tag >= tag) open.pop();
      const level = open.length > 0 ? open[open.length - 1].level + 1 : 1;
      open.push({ tag, level });
      assign(heading, 'aria-level', level === own ? null : String(level));
    }
  }

  function fieldNames() {
    for (const row of root.querySelectorAll('tr[data-param-name]')) {
      const label = row.dataset.paramName + ' (' + row.dataset.paramIn + ')';
      for (const field of row.querySelectorAll('input:not([type=checkbox]), select, textarea')) {
        assign(field, 'aria-label', label);
      }
    }
    for (const section of root.querySelectorAll('.opblock-section-request-body')) {
      const title = section.querySelector('.opblock-title');
      const required = title !== null && title.classList.contains('required') ? 'true' : null;
      for (const field of section.querySelectorAll('textarea')) {
        assign(field, 'aria-label', title ? title.textContent.trim() : 'Request body');
        assign(field, 'aria-required', required);
      }
    }
  }

  // All read before any is written: innerText lays the page out, and a write between two reads
  // could make the next one lay it out again.
  function headingNames() {
    const headings = [...root.querySelectorAll('h1, h2, h3, h4, h5, h6')];
    const shown = headings.map((heading) => heading.innerText.replace(/\\s+/g, ' ').trim());
    headings.forEach((heading, i) => assign(heading, 'aria-label', shown[i]));
  }

  // Written only when it changes: the observer watches the tree, not attributes, but a page
  // with every operation open has hundreds of fields.
  function assign(element, attribute, value) {
    if (element.getAttribute(attribute) === value) return;
    if (value === null) element.removeAttribute(attribute);
    else element.setAttribute(attribute, value);
  }

  // characterData too: React changes a text in place, and a heading's name must follow it.
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      outline();
      fieldNames();
      headingNames();
    });
  }).observe(root, { childList: true, subtree: true, characterData: true });
})();
`;
