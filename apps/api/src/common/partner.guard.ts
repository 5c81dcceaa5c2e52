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

/**
 * X-API-Key → the partner it belongs to; a missing, wrong or revoked key is 401, and an address
 * that keeps guessing gets 429 for its wrong keys (a good key from the same address still passes:
 * the key is looked at before the address's failures). Sets `req.partner`.
 */
export async function authenticatePartner(keys: ApiKeys, req: WithPartner): Promise<TradingPartner> {
  if (req.partner) return req.partner;
  const key = req.header('x-api-key');
  if (!key) throw new UnauthorizedException('X-API-Key header is required');
  const partner = await keys.partnerFor(key);
  if (!partner) {
    authFailures.fail(String(req.ip));
    throw new UnauthorizedException('API key is not valid or has been revoked');
  }
  req.partner = partner;
  return partner;
}

/** The key is checked before anything else (for POST /v1/edi, before the body is even read). */
@Injectable()
export class PartnerGuard implements CanActivate {
  constructor(@Inject(API_KEYS) private readonly keys: ApiKeys) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    await authenticatePartner(this.keys, ctx.switchToHttp().getRequest<WithPartner>());
    return true;
  }
}

/** The partner whose key made the request. */
export const Partner = createParamDecorator((_: unknown, ctx: ExecutionContext): TradingPartner => {
  return ctx.switchToHttp().getRequest<WithPartner>().partner!;
});
