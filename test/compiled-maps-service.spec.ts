import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MapRegistry } from '@edi/mapping';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import type { Running } from '../apps/api/src/bootstrap';
import { createPartner } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { startOn, type ServiceOn } from './helpers/service';

const ADMIN = 'compiled-maps-admin-token-0123456789';
const COMPILED_FILE = '.compiled.json';

/**
 * A copy of edi-maps/ whose compiled form, written by this code (so the CLI would take it), was
 * then edited: BEG03's element 324 may hold 2 characters instead of 22.
 */
function tamperedMaps(): string {
  const built = mkdtempSync(join(tmpdir(), 'edi-compiled-maps-'));
  cpSync(resolve(__dirname, '../edi-maps'), built, {
    recursive: true,
    filter: (f) => !f.endsWith(COMPILED_FILE),
  });
  new MapRegistry(built).compileAll();
  // another folder: a registry keeps what it read of a folder's standard for the process
  const dir = mkdtempSync(join(tmpdir(), 'edi-tampered-maps-'));
  cpSync(built, dir, { recursive: true });
  const file = join(dir, COMPILED_FILE);
  const text = readFileSync(file, 'utf8');
  const edited = text.replace('"324":["AN",1,22,', '"324":["AN",1,2,');
  expect(edited).not.toBe(text);
  writeFileSync(file, edited);
  // what the edited form says, as a registry that reads it (the CLI's) sees it
  expect(new MapRegistry(dir).standard.dictionary('004010').elements.get('324')?.max).toBe(2);
  return dir;
}

describe.each(databaseConfigs())('the service reads edi-maps/ from the YAML, on %s', (_, makeConfig) => {
  let on: ServiceOn | undefined;
  let svc: Running;
  let key: string;
  const maps = tamperedMaps();

  beforeAll(async () => {
    on = await startOn(makeConfig, { EDI_ADMIN_TOKEN: ADMIN, EDI_MAPS_DIR: maps });
    ({ svc } = on);
    ({ key } = await createPartner(svc.url, ADMIN, { isaId: 'MAPSPARTNER' }));
  });

  afterAll(() => on?.stop());

  it('so an edited .compiled.json does not change its verdicts', async () => {
    const text = x12()
      .isa({ sender: 'MAPSPARTNER', receiver: 'DEMOSUPPLIER' })
      .gs()
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-0123456789', '', '20261125')
      .seg('PO1', '1', '1', 'EA', '9.25', '', 'BP', 'B-1001')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .text();
    const r = await fetch(`${svc.url}/v1/edi?wait=true`, {
      method: 'POST',
      body: text,
      headers: { 'x-api-key': key },
    });
    expect(r.status).toBeLessThan(300);
    const { outcome } = (await r.json()) as {
      outcome: { acknowledgments: string; transactions: Array<{ status: string }> };
    };
    expect(outcome.transactions.map((t) => t.status)).toEqual(['translated']);
    expect(outcome.acknowledgments).toContain('AK5*A~');
  });
});
