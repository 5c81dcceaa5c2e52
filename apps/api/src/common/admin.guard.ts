import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config';
import { authFailures } from './auth-failures';

/** The admin API exists only when EDI_ADMIN_TOKEN is set; then it wants `Authorization: Bearer <token>`. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(ctx: ExecutionContext): boolean {
    const token = this.config.EDI_ADMIN_TOKEN;
    if (!token) throw new NotFoundException();
    const req = ctx.switchToHttp().getRequest<Request>();
    const header = req.header('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!given) throw new UnauthorizedException('Authorization: Bearer <admin token> is required');
    // compare digests: equal length whatever was sent, so the time taken tells nothing, not even the length
    const a = createHash('sha256').update(given).digest();
    const b = createHash('sha256').update(token).digest();
    if (!timingSafeEqual(a, b)) {
      // counted only when wrong: a right token is never refused because others guessed from its address
      authFailures.fail(String(req.ip));
      throw new ForbiddenException('wrong admin token');
    }
    return true;
  }
}
