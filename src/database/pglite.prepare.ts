/**
 * Creates the cached embedded-database cluster ahead of time, so a process that starts without
 * DATA_DIR copies it instead of running initdb (13 s on 2 busy cores). The image build runs it
 * (`node dist/database/pglite.prepare.js`): the container's node_modules is read-only to the
 * service's user, so a cache missing there would be missing at every start.
 */
import { PGlite } from '@electric-sql/pglite';
import { logger } from '../logging/logger.js';
import { ensureTemplate } from './pglite.datadir.js';

const template = await ensureTemplate(PGlite);
if (!template) process.exitCode = 1;
else logger.info({ module: 'database', template }, 'embedded database template ready');
