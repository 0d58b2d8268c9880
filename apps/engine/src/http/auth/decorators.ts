// Access rules of a route. Every route must declare one: @Roles(...) or @Public(). A route with
// neither is refused by RolesGuard (fail closed), so a forgotten decorator cannot open a route.
import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ApiRole } from '../../config/engine-config.js';
import type { CallerContext, HttpRequest } from '../http-types.js';

export const ROLES_KEY = 'lethe:roles';
export const PUBLIC_KEY = 'lethe:public';

/**
 * The roles that may call a route (on a handler or a controller; the handler's rule wins).
 * `admin` may always; `operator` also passes `ops-reader` routes.
 */
export const Roles = (...roles: [ApiRole, ...ApiRole[]]) => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a token: health, readiness, the public key (not /metrics: ops-reader). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The authenticated caller (`{ role }`), as set by RolesGuard; `undefined` on a public route. */
export const Caller = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): CallerContext | undefined => ctx.switchToHttp().getRequest<HttpRequest>().lethe,
);
