import Fastify from 'fastify';
import { AppError } from './app.error.js';
import { ProblemCounts } from './problem.counts.js';
import { sendProblem } from './problem.reply.js';

describe('sendProblem', () => {
  it('a second problem for an answered request changes nothing: one answer, counted once', async () => {
    const app = Fastify();
    const counts = new ProblemCounts();
    counts.attach(app);
    // The deadline's answer goes first; the handler, which ignored it, fails afterwards and the
    // exception filter (problem.filter.ts) hands its error over too.
    app.get('/late', (request, reply) => {
      sendProblem(reply, request, new AppError('REQUEST_DEADLINE_EXCEEDED', 504, 'late'));
      sendProblem(reply, request, new AppError('DB_UNAVAILABLE', 503, 'after the answer'));
      return reply;
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/late' });
      expect(res.statusCode).toBe(504);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'REQUEST_DEADLINE_EXCEEDED' });
      expect([...counts.snapshot()]).toEqual([['REQUEST_DEADLINE_EXCEEDED', 1]]);
    } finally {
      await app.close();
    }
  });
});
