import { AppError } from '../errors/app.error.js';
import { cut } from '../errors/client-text.js';
import { DOCS_ASSETS } from './swagger-ui.assets.js';

/**
 * `GET /docs/<name>` for a file the documentation page does not have: a missing page (404), not
 * a malformed request, and the detail says where the documentation is.
 */
export class DocsAssetNotFoundError extends AppError {
  constructor(name: string) {
    super(
      'NOT_FOUND',
      404,
      `No file ${cut(name)} under /docs: the page is /docs, its files ` +
        `${Object.keys(DOCS_ASSETS).join(', ')}.`,
    );
  }
}
