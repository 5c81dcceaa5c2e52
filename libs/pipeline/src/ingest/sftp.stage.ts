import { DomainError } from '@edi/contracts';
import {
  PartnerChannels,
  transact,
  type SecretBox,
  type SftpHealth,
  type TradingPartner,
} from '@edi/persistence';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  OutboundPolicy,
  SftpSettings,
  type PickedUp,
  mailboxUser,
  poll,
  pollMailbox,
  upload,
  writeMailbox,
} from '@edi/transport';
import type { DataSource } from 'typeorm';
import type { Pipeline } from '../pipeline';

/** A sealed settings column → the settings, or undefined when the partner has no SFTP server. */
export function sftpSettingsOf(
  sealed: string | null | undefined,
  secrets?: SecretBox,
): SftpSettings | undefined {
  if (!sealed) return undefined;
  if (!secrets)
    throw new DomainError(
      'misconfigured',
      'the partner has SFTP settings but EDI_SECRETS_KEY is not set to open them',
    );
  return SftpSettings.parse(JSON.parse(secrets.open(sealed)));
}

/**
 * Polls partners' SFTP servers. One poll per partner at a time across the whole cluster (a lease
 * row, taken with a conditional update), partners in parallel, and a partner that fails is polled
 * less often (its interval doubled per failure, up to an hour) and shown unhealthy with the reason.
 */
export class SftpStage {
  private readonly looks = new Map<string, Map<string, string>>();
  private readonly last = new Map<string, number>();

  private pipeline?: Pipeline;

  constructor(
    private readonly ds: DataSource,
    private readonly secrets?: SecretBox,
    /** Where partners' mailboxes are (retailers who poll us). */
    private readonly mailboxRoot?: string,
    /** Where partners' servers may be (EDI_OUTBOUND_ALLOWED_HOSTS); absent = public addresses only. */
    private readonly outbound = OutboundPolicy.fromList(undefined),
  ) {}

  /** Polling stores what it picks up through the pipeline, made after the stages. */
  attach(pipeline: Pipeline): this {
    this.pipeline = pipeline;
    return this;
  }

  /** Every partner whose poll is due, at once. */
  async pollDue(now = Date.now()): Promise<void> {
    const partners = await new PartnerChannels(this.ds).polled();
    await Promise.all(
      partners.map(async (p) => {
        const settings = this.settings(p);
        if (!settings && !p.mailbox) return;
        const failures = p.sftpHealth?.ok === false ? p.sftpHealth.failures : 0;
        // a mailbox is a local folder: looked at every 5 s
        const every = Math.min(3_600_000, (settings?.pollIntervalSeconds ?? 5) * 1000 * 2 ** failures);
        if (now - (this.last.get(p.id) ?? 0) < every) return;
        this.last.set(p.id, now);
        await this.pollPartner(p.id).catch(() => undefined);
      }),
    );
  }

  /** One poll of one partner, unless another process holds its lease. */
  async pollPartner(partnerId: string): Promise<{ taken: string[]; waiting: string[] } | undefined> {
    const now = new Date();
    // a lease of 15 minutes, with our token: a poll that outlives it (keepalive notices a dead
    // connection within about 30 s) cannot release the next poller's lease
    const mine = `${new Date(now.getTime() + 15 * 60_000).toISOString()} ${randomUUID()}`;
    const leased = await transact(this.ds, (m) => new PartnerChannels(m).takePollLease(partnerId, mine, now));
    if (!leased) return undefined;
    const pipeline = this.pipeline;
    if (!pipeline) throw new Error('SftpStage.attach(pipeline) was not called');
    const partner = await new PartnerChannels(this.ds).withSftp(partnerId);
    const failures = partner.sftpHealth?.ok === false ? partner.sftpHealth.failures : 0;
    try {
      const settings = this.settings(partner);
      let looks = this.looks.get(partnerId);
      if (!looks) this.looks.set(partnerId, (looks = new Map<string, string>()));
      // a file leaves the partner's folder only after submit() has committed its bytes
      // streamed into storage as it downloads, so a 500 MB file is never held whole
      const store = async (f: PickedUp) => {
        // by content: a file stored but not archived (a crash, a failed move) is not stored twice
        await pipeline.submitStream(partner, f.chunks, 'sftp', { idempotencyKey: (sha) => `sftp:${sha}` });
      };
      let result: { taken: string[]; waiting: string[] };
      if (settings) result = await poll(settings, looks, store, this.outbound);
      else if (partner.mailbox) result = await pollMailbox(this.mailboxDir(partner.mailbox), looks, store);
      else return undefined;
      await this.health(partnerId, { ok: true, at: new Date().toISOString(), failures: 0 });
      return result;
    } catch (e) {
      await this.health(partnerId, {
        ok: false,
        at: new Date().toISOString(),
        reason: (e as Error).message,
        failures: failures + 1,
      });
      throw e;
    } finally {
      await transact(this.ds, (m) => new PartnerChannels(m).releasePollLease(partnerId, mine));
    }
  }

  /** Uploads an outbound document to the partner's outbound folder (temporary name, then rename). */
  async push(partnerId: string, name: string, content: Buffer): Promise<string> {
    const partner = await new PartnerChannels(this.ds).withSftp(partnerId);
    const settings = this.settings(partner);
    if (settings) return upload(settings, name, content, this.outbound);
    if (partner.mailbox) return writeMailbox(this.mailboxDir(partner.mailbox), name, content);
    throw new DomainError('misconfigured', 'the partner has neither SFTP settings nor a mailbox');
  }

  private mailboxDir(name: string): string {
    if (!this.mailboxRoot)
      throw new DomainError('misconfigured', 'no mailbox folder is configured (EDI_MAILBOX_DIR)');
    return join(this.mailboxRoot, mailboxUser(name));
  }

  private settings(p: TradingPartner): SftpSettings | undefined {
    return sftpSettingsOf(p.sftp, this.secrets);
  }

  private health(id: string, h: SftpHealth): Promise<unknown> {
    return transact(this.ds, (m) => new PartnerChannels(m).setSftpHealth(id, h));
  }
}
