import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { StaffAccounts } from '@edi/auth';
import type { StaffRole, StaffSession, StaffUser } from '@edi/persistence';
import { STAFF } from '../common/tokens';

export const SESSION_COOKIE = 'edi_session';
const RANK: Record<StaffRole, number> = { viewer: 0, operator: 1, admin: 2 };

/** The least role a route needs (viewer when not said). */
export const NeedsRole = (role: StaffRole) => SetMetadata('staffRole', role);

interface StaffRequest extends Request {
  staff?: { user: StaffUser; session: StaffSession; token: string };
}

/** The signed-in staff member (set by StaffGuard). */
export const Staff = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const req = ctx.switchToHttp().getRequest<StaffRequest>();
  if (!req.staff) throw new UnauthorizedException('sign in first');
  return req.staff;
});

export function readCookie(req: Request, name: string): string {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return ''; // a mangled cookie is no session, not a 500
      }
    }
  }
  return '';
}

/**
 * The console's routes: a live session cookie, the role the route needs, and on anything that
 * changes state the session's CSRF token in X-CSRF-Token. The cookie is SameSite=Strict already;
 * the token is the second lock, for browsers or proxies that do not honour SameSite.
 */
@Injectable()
export class StaffGuard implements CanActivate {
  constructor(
    @Inject(STAFF) private readonly staff: StaffAccounts,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<StaffRequest>();
    const token = readCookie(req, SESSION_COOKIE);
    const live = token ? await this.staff.session(token) : null;
    if (!live) throw new UnauthorizedException('your session has expired or you are not signed in');
    if (
      !['GET', 'HEAD', 'OPTIONS'].includes(req.method) &&
      !sameToken(req.header('x-csrf-token'), live.session.csrfToken)
    )
      throw new ForbiddenException('missing or wrong X-CSRF-Token');
    const need =
      this.reflector.getAllAndOverride<StaffRole | undefined>('staffRole', [
        ctx.getHandler(),
        ctx.getClass(),
      ]) ?? 'viewer';
    if (RANK[live.user.role] < RANK[need])
      throw new ForbiddenException(`this needs the ${need} role; you are ${live.user.role}`);
    req.staff = { ...live, token };
    return true;
  }
}

function sameToken(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
