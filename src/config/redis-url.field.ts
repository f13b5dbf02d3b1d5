import { url } from './config.fields.js';

const DATABASE_NUMBER = /^\d{1,9}$/;
const DATABASE_MESSAGE =
  'the database, as the path (redis://host:6379/2) or ?db=, must be a number';

/**
 * REDIS_URL: a redis: or rediss: URL whose database, if it names one, is a number. The client
 * (ioredis) reads the path, else `?db=`, as the database and sends `SELECT` with it on every
 * connection: `redis://host:6379/abc` started without complaint, each connection's `SELECT abc`
 * failed as an unhandled rejection, and readiness still said Redis was up. A number the server
 * does not have is the server's to refuse (its `databases` setting): that is reported as Redis
 * unavailable, and rate limits and the cache fail open as for any Redis outage.
 */
export const redisUrl = () =>
  url(['redis:', 'rediss:']).refine(
    (value) => {
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        return true; // the protocol check above names the URL as malformed
      }
      const path = parsed.pathname.replace(/^\//, '');
      const db = parsed.searchParams.get('db');
      return (
        (path === '' || DATABASE_NUMBER.test(path)) && (db === null || DATABASE_NUMBER.test(db))
      );
    },
    { message: DATABASE_MESSAGE },
  );
