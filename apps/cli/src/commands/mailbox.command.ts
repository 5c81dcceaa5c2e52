import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { provisionMailbox, sshdConfigSnippet } from '@edi/transport';
import { settings } from '../io';

/**
 * `edi mailbox provision <name> --key <file.pub>`: the partner's mailbox (system user, chroot
 * folder, key) under --dir (EDI_MAILBOX_DIR, or <EDI_DATA_DIR>/mailboxes). Root only.
 */
export function mailboxProvisionCommand(name: string, opts: { key: string; dir?: string }): number {
  // absolute: it goes into sshd_config's ChrootDirectory
  const env = settings(['EDI_MAILBOX_DIR', 'EDI_DATA_DIR']);
  const root = resolve(opts.dir ?? env.EDI_MAILBOX_DIR ?? join(env.EDI_DATA_DIR, 'mailboxes'));
  const { user, dir } = provisionMailbox(root, name, readFileSync(opts.key, 'utf8'));
  process.stdout.write(
    `mailbox ${name}: user ${user}, folder ${dir} (inbound, outbound, archive)\n` +
      `set the partner's "mailbox": "${name}" and "deliveryChannel": "sftp".\n` +
      `sshd_config needs, once for every mailbox:\n\n${sshdConfigSnippet(root)}\n`,
  );
  return 0;
}
