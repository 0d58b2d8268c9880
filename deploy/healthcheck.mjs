// The image's HEALTHCHECK: GET /healthz on this container's engine, with node itself (slim images
// have no curl). Exit 0: healthy; 1: not. It reads the engine's own settings (PORT, LETHE_HOST,
// LETHE_TLS_CERT_FILE, LETHE_ROLES) so it asks the port and scheme the engine serves.
//
// An instance whose LETHE_ROLES leave out `api` opens no HTTP port at all (apps/engine/src/engine.ts):
// there is nothing to ask, so the check says so and passes; compose and the Helm chart give such
// instances no HTTP check.
import http from 'node:http';
import https from 'node:https';
import process from 'node:process';

const TIMEOUT_MS = 4000;

const roles = (process.env.LETHE_ROLES ?? '').split(',').map((r) => r.trim()).filter(Boolean);
if (roles.length > 0 && !roles.includes('api')) {
  process.stdout.write('no HTTP server on an instance without the api role: nothing to check\n');
  process.exit(0);
}

const port = Number(process.env.PORT || 3000);
// An engine listening on every interface is asked on loopback; one bound to an address, there.
const bound = (process.env.LETHE_HOST || '127.0.0.1').trim();
const host = bound === '0.0.0.0' || bound === '::' ? '127.0.0.1' : bound;
const tls = Boolean(process.env.LETHE_TLS_CERT_FILE);
// Over TLS the certificate names the service, not loopback: the check is about liveness, not identity.
const request = (tls ? https : http).get(
  { host, port, path: '/healthz', timeout: TIMEOUT_MS, ...(tls ? { rejectUnauthorized: false } : {}) },
  (response) => {
    response.resume();
    if (response.statusCode === 200) process.exit(0);
    process.stderr.write(`/healthz answered ${response.statusCode}\n`);
    process.exit(1);
  },
);
request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
request.on('error', (error) => {
  process.stderr.write(`/healthz: ${error.message}\n`);
  process.exit(1);
});
