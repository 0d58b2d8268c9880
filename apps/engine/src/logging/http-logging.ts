// What the HTTP layer logs: one compact line per request at info (method, path with its sensitive
// query values redacted, status, duration, request id; 5xx at error), and Nest's boot chatter
// (route mapping, module wiring) at debug.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import { redactUrl } from './url-redaction.js';

type Request = IncomingMessage & { originalUrl?: string; id?: unknown };

/** The LoggerModule options of the engine. */
export function httpLoggerParams(logger: Logger): Params {
  return {
    pinoHttp: {
      logger,
      // Only the request id is bound to logs made while handling a request; the line below says the rest.
      quietReqLogger: true,
      quietResLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      // Health probes every few seconds would drown the log.
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      customSuccessObject: (req, res, val: { responseTime?: number }) => requestLine(req, res, val.responseTime),
      customErrorObject: (req, res, _error, val: { responseTime?: number }) => requestLine(req, res, val.responseTime),
      customSuccessMessage: () => 'request',
      customErrorMessage: () => 'request failed',
    },
  };
}

function requestLine(req: Request, res: ServerResponse, durationMs: number | undefined): Record<string, unknown> {
  return {
    method: req.method,
    path: redactUrl(req.originalUrl ?? req.url ?? ''),
    status: res.statusCode,
    durationMs,
    // With LETHE_TRUST_PROXY, Express has taken the client's address from X-Forwarded-For.
    ip: (req as { ip?: string }).ip ?? req.socket?.remoteAddress,
  };
}

// Nest's contexts that only describe wiring: a line per module and route at every boot.
const BOOT_CONTEXTS = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

/** Nest's logger, with its wiring lines (route mapping and the like) moved down to debug. */
export class EngineNestLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams[optionalParams.length - 1];
    if (typeof context === 'string' && BOOT_CONTEXTS.has(context)) this.inner.debug?.(message, ...optionalParams);
    else this.inner.log(message, ...optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.error(message, ...optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.warn(message, ...optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.debug?.(message, ...optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.verbose?.(message, ...optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.inner.fatal?.(message, ...optionalParams);
  }
}
