import { randomUUID } from 'node:crypto';
import { STAFF_ROLES, type StaffRole } from '@edi/contracts';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** viewer: looks; operator: also reprocesses, resubmits and resolves; admin: also manages keys and staff. */
export { STAFF_ROLES, type StaffRole };

/** A member of the operations team who signs in to the console. */
@Entity('staff_users')
export class StaffUser {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Column({ type: 'varchar', length: 64, unique: true })
  username!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 10 })
  role!: StaffRole;

  @Column({ name: 'password_hash', type: 'varchar', length: 200, select: false })
  passwordHash!: string;

  @Column({ name: 'disabled_at', type: 'varchar', length: 30, nullable: true })
  disabledAt!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}

/** Failed sign-ins in a row under a name (an account's or not); each one past the fifth locks it longer. */
@Entity('staff_sign_in_failures')
export class StaffSignInFailures {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ type: 'integer', default: 0 })
  failures!: number;

  @Column({ name: 'locked_until', type: 'varchar', length: 30, nullable: true })
  lockedUntil!: string | null;
}

/** A signed-in browser. The cookie holds a random token; only its hash is stored. */
@Entity('staff_sessions')
export class StaffSession {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId!: string;

  @Column({ name: 'csrf_token', type: 'varchar', length: 64 })
  csrfToken!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  /** Idle timeout: pushed forward as the session is used. */
  @Column({ name: 'expires_at', type: 'varchar', length: 30 })
  expiresAt!: string;

  /** Absolute end, however busy the session is. */
  @Column({ name: 'ends_at', type: 'varchar', length: 30 })
  endsAt!: string;
}
