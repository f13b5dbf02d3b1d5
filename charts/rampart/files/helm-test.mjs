/* eslint-disable no-console, no-restricted-properties -- a standalone program in the test pod: its environment is its input, its output the report `helm test` shows. */
// `helm test`: run by the test pod (templates/tests/) with the rampart image's own node, so no
// second image is pulled. Checks, through the public Service, that the probe routes answer 200
// and /api/info names this service at the installed version. Exit 1 lists every failure.
const base = process.env.RAMPART_URL;
const expectedService = process.env.EXPECTED_SERVICE;
const expectedVersion = process.env.EXPECTED_VERSION;
const ATTEMPTS = 10;

/** GET with retries on connection errors: Service endpoints may still be propagating. */
async function get(path) {
  let lastError;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const response = await fetch(new URL(path, base), { signal: AbortSignal.timeout(5000) });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  return { status: 0, body: String(lastError?.cause ?? lastError) };
}

const failures = [];
for (const path of ['/startupz', '/healthz', '/readyz']) {
  const { status, body } = await get(path);
  if (status === 200) console.log(`ok ${path} 200`);
  else failures.push(`${path}: ${status} ${body.slice(0, 300)}`);
}

const info = await get('/api/info');
let identity = {};
try {
  identity = JSON.parse(info.body);
} catch {
  failures.push(`/api/info: not JSON: ${info.body.slice(0, 300)}`);
}
if (info.status !== 200) failures.push(`/api/info: ${info.status}`);
if (identity.service !== expectedService)
  failures.push(`/api/info: service ${identity.service}, expected ${expectedService}`);
if (identity.version !== expectedVersion)
  failures.push(`/api/info: version ${identity.version}, expected ${expectedVersion}`);
if (!identity.pod) failures.push('/api/info: no pod name');
if (failures.length === 0)
  console.log(`ok /api/info ${identity.service} ${identity.version} from ${identity.pod}`);

for (const failure of failures) console.error(`FAIL ${failure}`);
process.exit(failures.length === 0 ? 0 : 1);
