import type { INestApplication } from '@nestjs/common';
import type { AdminServer } from '../admin/admin.server.js';
import type { AdmissionService } from '../admission/admission.service.js';
import type { AppConfig } from '../config/config.schema.js';
import type { DatabaseService } from '../database/database.service.js';
import type { ReadinessService } from '../health/readiness.service.js';
import { InFlightRegistry } from '../request-context/in-flight.registry.js';
import { ShutdownService } from './shutdown.service.js';

/**
 * The shutdown sequence's order and budget, with its collaborators reduced to what they record:
 * what reaches the listeners is tested end to end in test/e2e/shutdown.e2e-spec.ts.
 */
describe('ShutdownService', () => {
  let events: string[];
  let exits: number[];
  const realExit = process.exit;

  beforeEach(() => {
    events = [];
    exits = [];
    // The one stand-in: the sequence ends in process.exit, which would end the test run.
    process.exit = ((code: number) => {
      exits.push(code);
      events.push(`exit ${code}`);
    }) as typeof process.exit;
  });
  afterEach(() => {
    process.exit = realExit;
  });

  function service(timeoutMs: number, drainDelayMs: number): ShutdownService {
    const config = {
      SHUTDOWN_TIMEOUT_MS: timeoutMs,
      SHUTDOWN_DRAIN_DELAY_MS: drainDelayMs,
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
    } as AppConfig;
    const readiness = {
      startDraining: () => events.push('readiness 503'),
      hasAnsweredReady: true,
    } as unknown as ReadinessService;
    const admin = {
      routes: { close: async () => void events.push('admin closed') },
    } as unknown as AdminServer;
    const admission = {
      stopPausing: () => events.push('hold stopped'),
    } as unknown as AdmissionService;
    const database = {
      stopMigrations: async () => void events.push('migrations stopped'),
    } as unknown as DatabaseService;
    const shutdown = new ShutdownService(
      config,
      readiness,
      admin,
      new InFlightRegistry(),
      admission,
      database,
    );
    const publicServer = { close: async () => void events.push('public closed') };
    const app = {
      getHttpAdapter: () => ({ getInstance: () => publicServer }),
      close: async () => void events.push('resources closed'),
    } as unknown as INestApplication;
    // install() would also take the process's signals; the sequence needs only the app.
    (shutdown as unknown as { app: INestApplication }).app = app;
    return shutdown;
  }

  it('stops the connection hold and a start-up migration at step 1, before the drain delay serves on', async () => {
    const done = service(5_000, 50).shutdown('SIGTERM');
    // Run up to the drain delay's sleep: the port may no longer be held shut from here on, and
    // the migration lock is let go while the drain goes on.
    expect(events).toEqual(['readiness 503', 'hold stopped', 'migrations stopped']);
    await done;
    expect(events).toEqual([
      'readiness 503',
      'hold stopped',
      'migrations stopped',
      'public closed',
      'admin closed',
      'resources closed',
      'exit 0',
    ]);
  });

  it('counts SHUTDOWN_TIMEOUT_MS from the signal: one held through start-up has used some', async () => {
    // 4,990 ms of a 5,000 ms budget went on start-up; the 200 ms drain delay outlasts the rest.
    const done = service(5_000, 200).shutdown('SIGTERM', 0, performance.now() - 4_990);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(exits).toEqual([1]);
    expect(events).not.toContain('public closed');
    // The stand-in exit returns, so the sequence runs on to its own end: awaited here, or it would
    // call the real process.exit after the test (jest then ends the whole run, exit status 0).
    await done;
  });

  it('an uncaught exception during the drain lets it finish, then exits 1 (not 130)', async () => {
    const shutdown = service(5_000, 50);
    const done = shutdown.shutdown('SIGTERM');
    await shutdown.shutdown('uncaughtException', 1);
    expect(exits).toEqual([]);
    await done;
    expect(events.slice(-2)).toEqual(['resources closed', 'exit 1']);
  });
});
