// Authentication and authorisation of every route, registered as APP_GUARD. Order: a @Public()
// route passes; otherwise the bearer token must be valid (401 with `WWW-Authenticate: Bearer`),
// and its role must be allowed by the route's @Roles (403). A route with neither decorator is
// refused with 403 and logged, so a forgotten decorator fails closed.
import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiRole } from '../../config/engine-config.js';
import type { HttpRequest } from '../http-types.js';
import { ProblemException } from '../problem/problem.js';
import { BearerAuthenticator } from './bearer-authenticator.js';
import { PUBLIC_KEY, ROLES_KEY } from './decorators.js';
import { roleAllows } from './roles.js';

const REALM = 'lethe';

type AccessRule = { readonly kind: 'public' } | { readonly kind: 'roles'; readonly roles: readonly ApiRole[] } | { readonly kind: 'undeclared' };

@Injectable()
export class RolesGuard implements CanActivate {
  private readonly logger = new Logger('RolesGuard');
  private readonly reportedUndeclared = new Set<string>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(BearerAuthenticator) private readonly authenticator: BearerAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const rule = this.ruleOf(context);
    if (rule.kind === 'public') return true;
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const auth = await this.authenticator.authenticate(request.headers.authorization);
    if (auth.outcome !== 'authenticated') {
      throw new ProblemException({
        status: 401,
        detail:
          auth.outcome === 'missing'
            ? 'This route needs a bearer token in the Authorization header.'
            : auth.outcome === 'malformed'
              ? 'The Authorization header must be "Bearer <token>".'
              : 'The bearer token is not valid.',
        headers: {
          'WWW-Authenticate': auth.outcome === 'missing' ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="invalid_token"`,
        },
      });
    }
    request.lethe = { subject: auth.subject, roles: auth.roles, via: auth.via };
    if (rule.kind === 'undeclared') {
      const route = `${context.getClass().name}.${context.getHandler().name}`;
      if (!this.reportedUndeclared.has(route)) {
        this.reportedUndeclared.add(route);
        this.logger.error({ route }, 'route declares neither @Roles nor @Public; refusing every caller');
      }
      throw new ProblemException({ status: 403, detail: 'This route is not open to any role.' });
    }
    if (!roleAllows(auth.roles, rule.roles)) {
      const held = auth.roles.length === 0 ? 'A caller with no Lethe role' : `The role ${auth.roles.join(', ')}`;
      throw new ProblemException({ status: 403, detail: `${held} may not use this route; it needs ${rule.roles.join(' or ')}.` });
    }
    return true;
  }

  /** The handler's declaration wins over the controller's; @Roles wins over @Public on the same target. */
  private ruleOf(context: ExecutionContext): AccessRule {
    for (const target of [context.getHandler(), context.getClass()]) {
      const roles = this.reflector.get<readonly ApiRole[] | undefined>(ROLES_KEY, target);
      if (roles !== undefined) return { kind: 'roles', roles };
      if (this.reflector.get<boolean | undefined>(PUBLIC_KEY, target) === true) return { kind: 'public' };
    }
    return { kind: 'undeclared' };
  }
}
