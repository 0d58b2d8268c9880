// The image's HEALTHCHECK: GET /healthz on this container's engine, with node itself (slim images
// have no curl). Exit 0: healthy; 1: not. It reads the engine's own settings (PORT, LETHE_HOST,
// LETHE_TLS_CERT_FILE) so it asks the port and scheme the engine serves. Every instance listens,
// whatever its LETHE_ROLES (one without `api` serves the probes and /metrics only), so every
// instance is checked the same way.
import http from 'node:http';
import https from 'node:https';
import process from 'node:process';

const TIMEOUT_MS = 4000;

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
