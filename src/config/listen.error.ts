import { ConfigError } from './config.loader.js';

/** Why a listener could not open, for the errors an operator's settings explain. */
const WHY: Record<string, string> = {
  EADDRINUSE: 'another process has that port',
  EACCES: 'not permitted (a port below 1024 needs a privilege the process lacks)',
  EADDRNOTAVAIL: 'the host is not an address of this machine',
  ENOTFOUND: 'the host name does not resolve',
  // The resolver refuses the name outright: an invisible or non-ASCII character, say.
  EINVAL: 'the host is neither an address nor a valid host name',
  EAI_FAIL: 'the host name could not be resolved (DNS failure)',
  EAI_AGAIN: 'the host name could not be resolved now (DNS)',
  EAFNOSUPPORT: "this machine's network has no such address family",
};

/**
 * Opens a listener. A failure that the settings chose, a port taken or a host that is not here,
 * becomes a ConfigError naming the variables, so start-up stops with `PORT=8080 HOST=0.0.0.0:
 * cannot listen: another process has that port (EADDRINUSE)` (main.ts, exit 78) rather than
 * a stack trace after the migrations ran. Anything else is thrown as it came.
 */
export async function listenAs<T>(
  settings: Record<string, string | number>,
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === undefined ? undefined : WHY[code];
    if (why === undefined) throw error;
    const named = Object.entries(settings)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    throw new ConfigError([`${named}: cannot listen: ${why} (${code})`]);
  }
}
