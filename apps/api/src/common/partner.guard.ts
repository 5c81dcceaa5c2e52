import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
  createParamDecorator,
} from '@nestjs/common';
import type { ApiKeys, TradingPartner } from '@edi/persistence';
import type { Request } from 'express';
import { authFailures } from './auth-failures';
import { API_KEYS } from './tokens';

type WithPartner = Request & { partner?: TradingPartner };

/** X-API-Key → the partner it belongs to; a missing, wrong or revoked key is 401. */
@Injectable()
export class PartnerGuard implements CanActivate {
  constructor(@Inject(API_KEYS) private readonly keys: ApiKeys) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<WithPartner>();
    const address = String(req.ip);
    authFailures.check(address);
    const key = req.header('x-api-key');
    if (!key) throw new UnauthorizedException('X-API-Key header is required');
    const partner = await this.keys.partnerFor(key);
    if (!partner) {
      authFailures.record(address);
      throw new UnauthorizedException('API key is not valid or has been revoked');
    }
    req.partner = partner;
    return true;
  }
}

/** The partner whose key made the request. */
export const Partner = createParamDecorator((_: unknown, ctx: ExecutionContext): TradingPartner => {
  return ctx.switchToHttp().getRequest<WithPartner>().partner!;
});
