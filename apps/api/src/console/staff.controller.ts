import { Body, Controller, Get, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { StaffAccounts } from '@edi/auth';
import { NotFoundError, STAFF_ROLES, type StaffRow } from '@edi/contracts';
import type { StaffUser } from '@edi/persistence';
import { z } from 'zod';
import { STAFF } from '../common/tokens';
import { parseInput } from '../common/validate';
import { NeedsRole, SESSION_COOKIE, Staff, StaffGuard } from './staff.guard';

const Role = z.enum(STAFF_ROLES);
const NewMember = z.object({
  username: z.string().min(2).max(64),
  name: z.string().max(100).optional(),
  role: Role,
  password: z.string().min(12, 'a password needs at least 12 characters').max(200),
});
const Change = z
  .object({ role: Role.optional(), disabled: z.boolean().optional() })
  .refine((c) => c.role !== undefined || c.disabled !== undefined, 'send role or disabled');

/** Admins manage the console's own accounts; each change ends the member's sessions and is audited under the admin's name. */
@ApiTags('console')
@ApiCookieAuth(SESSION_COOKIE)
@Controller('v1/console/staff')
@UseGuards(StaffGuard)
@NeedsRole('admin')
export class StaffController {
  constructor(@Inject(STAFF) private readonly staff: StaffAccounts) {}

  @Get()
  @ApiOperation({ summary: 'The console accounts: name, role, whether disabled (admin)' })
  async list() {
    return { items: (await this.staff.list()).map(view) };
  }

  @Post()
  @ApiOperation({ summary: 'Add a console account with a first password to hand over (admin)' })
  async add(@Body() body: unknown, @Staff() s: { user: StaffUser }) {
    const input = parseInput(NewMember, body ?? {});
    return view(await this.staff.create(input, s.user.username));
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      "Change a member's role or disable them (admin); their sessions end; the last active admin stays",
  })
  async change(@Param('id') id: string, @Body() body: unknown, @Staff() s: { user: StaffUser }) {
    const change = parseInput(Change, body ?? {});
    const member = (await this.staff.list()).find((u) => u.id === id);
    if (!member) throw new NotFoundError('no such staff member');
    await this.staff.update(member.username, change, s.user.username);
    return view((await this.staff.list()).find((u) => u.id === id)!);
  }
}

function view(u: StaffUser): StaffRow {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    role: u.role,
    disabled: !!u.disabledAt,
    createdAt: u.createdAt.toISOString(),
  };
}
