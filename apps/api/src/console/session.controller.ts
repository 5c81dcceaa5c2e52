import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { StaffError, type StaffAccounts, type StaffSession, type StaffUser } from '@edi/persistence';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config';
import { STAFF } from '../common/tokens';
import { parseInput } from '../common/validate';
import { SESSION_COOKIE, Staff, StaffGuard } from './staff.guard';

const Login = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });

/** Signing in and out of the console. The session lives in an httpOnly, SameSite=Strict cookie. */
@ApiTags('console')
@Controller('v1/session')
export class SessionController {
  constructor(
    @Inject(STAFF) private readonly staff: StaffAccounts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  // besides the per-account lockout: one address may not try many accounts quickly
  @Throttle({ default: { limit: 20, ttl: 60_000 } })
  @ApiOperation({
    summary:
      'Sign in (username, password): sets the session cookie and answers the CSRF token to send in X-CSRF-Token. 401 wrong username or password; 429 too many failures',
  })
  async signIn(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { username, password } = parseInput(Login, body ?? {});
    try {
      const { user, token, session } = await this.staff.signIn(username, password, String(req.ip));
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: req.secure || this.config.EDI_COOKIE_SECURE,
        path: '/',
        maxAge: this.config.EDI_SESSION_MAX_HOURS * 3600_000,
      });
      return sessionView(user, session);
    } catch (e) {
      if (!(e instanceof StaffError)) throw e;
      if (e.reason === 'locked') {
        res.setHeader('Retry-After', String(e.retryAfterSeconds ?? 60));
        throw new HttpException(e.message, HttpStatus.TOO_MANY_REQUESTS);
      }
      throw new UnauthorizedException(e.message);
    }
  }

  @Get()
  @UseGuards(StaffGuard)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({ summary: 'Who is signed in, the CSRF token, and when the session ends if unused' })
  me(@Staff() s: { user: StaffUser; session: StaffSession }) {
    return sessionView(s.user, s.session);
  }

  @Delete()
  @HttpCode(204)
  @UseGuards(StaffGuard)
  @ApiCookieAuth(SESSION_COOKIE)
  @ApiOperation({ summary: 'Sign out: the session ends on the server and the cookie is cleared' })
  async signOut(@Staff() s: { user: StaffUser; token: string }, @Res({ passthrough: true }) res: Response) {
    await this.staff.signOut(s.token, s.user);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }
}

function sessionView(user: StaffUser, session: StaffSession) {
  return {
    user: { id: user.id, username: user.username, name: user.name, role: user.role },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}
