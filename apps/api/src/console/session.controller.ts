import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import type { StaffAccounts } from '@edi/auth';
import type { Session } from '@edi/contracts';
import type { StaffSession, StaffUser } from '@edi/persistence';
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
    // a refusal is a StaffError: 401 wrong name or password, 429 with Retry-After when locked
    const { user, token, session } = await this.staff.signIn(username, password, String(req.ip));
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure || this.config.EDI_COOKIE_SECURE,
      path: '/',
      maxAge: this.config.EDI_SESSION_MAX_HOURS * 3600_000,
    });
    return sessionView(user, session);
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

function sessionView(user: StaffUser, session: StaffSession): Session {
  return {
    user: { id: user.id, username: user.username, name: user.name, role: user.role },
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt,
  };
}
