// Runs every authenticated call's handler as its caller's subject (@lethe/lifecycle actAs), so the
// events it appends name who caused them. Nest binds what `next.handle()` runs to the async context
// it is called in, so calling it inside actAs carries the subject into the handler and all it awaits.
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { actAs } from '@lethe/lifecycle';
import type { Observable } from 'rxjs';
import type { HttpRequest } from '../http-types.js';

@Injectable()
export class ActingSubjectInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const caller = context.getType() === 'http' ? context.switchToHttp().getRequest<HttpRequest>().lethe : undefined;
    return caller === undefined ? next.handle() : actAs(caller.subject, () => next.handle());
  }
}
