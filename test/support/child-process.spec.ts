import { READY_MESSAGE, readyPorts } from './child-process.js';

// startChild learns each listener's port from the child's ready line (every listener binds
// port 0), so what readyPorts reads decides which URLs tests talk to.

const line = (fields: Record<string, unknown>): string =>
  JSON.stringify({ level: 'info', time: '2026-01-01T00:00:00.000Z', pid: 1, ...fields });

describe('readyPorts', () => {
  it('reads every port field of the ready line, whatever listeners it names', () => {
    const output = [
      line({ msg: 'connected', port: 5432 }),
      line({ msg: READY_MESSAGE, port: 40001, adminPort: 40002, probePort: 40003, startupMs: 812 }),
    ].join('\n');
    expect(readyPorts(`${output}\n`)).toEqual({ port: 40001, adminPort: 40002, probePort: 40003 });
  });

  it('waits for the whole line: a line cut mid-write reports nothing yet', () => {
    const full = line({ msg: READY_MESSAGE, port: 40001, adminPort: 40002 });
    expect(readyPorts(full.slice(0, 40))).toBeUndefined();
    expect(readyPorts(`${full}\n`)).toEqual({ port: 40001, adminPort: 40002 });
  });

  it('ignores other lines that mention the message and non-port values', () => {
    const output = [
      `not json: ${READY_MESSAGE}`,
      line({ msg: `${READY_MESSAGE}?`, port: 1 }),
      line({ msg: READY_MESSAGE, port: 40001, adminPort: 0, reportPort: 'x' }),
    ].join('\n');
    expect(readyPorts(output)).toEqual({ port: 40001 });
  });
});
