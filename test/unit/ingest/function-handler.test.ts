import { createPushIngest, IngestRetryableError, silentIngestLog } from '../../../ingest';
import { openIngestWarehouse, sharedWarehouse } from '../../../ingest/warehouse-factory';
import { DuckDbWarehouse } from '../../../sql/duckdb/duckdb-warehouse';
import { BigQueryWarehouse } from '../../../sql/bigquery/bigquery-warehouse';
import type { Warehouse } from '../../../sql';
import { message, spend, storedIds } from './fixtures';

describe('the Firebase push path', () => {
  it('decodes the base64 data of a pushed message and stores its events; the message id is the provenance', async () => {
    const wh = await DuckDbWarehouse.open(':memory:');
    await wh.createSchema();
    const ingest = createPushIngest(() => Promise.resolve(wh));
    const now = Date.now();
    const data = Buffer.from(message([spend('p1', { ts: now - 1_000 })])).toString('base64');
    expect(await ingest({ messageId: '123', data, attributes: {}, publishTime: new Date(now).toISOString() })).toMatchObject({ stored: 1 });
    expect(await storedIds(wh)).toEqual(['p1']);
    await wh.close();
  });

  it('throws when the warehouse cannot be opened, so the message is redelivered, and tries to open it again next time', async () => {
    let opens = 0;
    const open = sharedWarehouse(() => (++opens === 1 ? Promise.reject(new Error('no credentials')) : DuckDbWarehouse.open(':memory:').then(async (wh) => (await wh.createSchema(), wh as Warehouse))));
    const ingest = createPushIngest(open);
    const pushed = { messageId: '1', data: Buffer.from(message([spend('a', { ts: Date.now() })])).toString('base64') };
    await expect(ingest(pushed)).rejects.toThrow('no credentials');
    expect(await ingest(pushed)).toMatchObject({ stored: 1 });
    expect(opens).toBe(2);
    await (await open()).close();
  });

  it('throws IngestRetryableError when the write fails', async () => {
    const broken = { insertEvents: () => Promise.reject(new Error('down')), insertDeadLetters: () => Promise.resolve() } as unknown as Warehouse;
    const ingest = createPushIngest(() => Promise.resolve(broken), { log: silentIngestLog });
    await expect(ingest({ messageId: '1', data: Buffer.from(message([spend('a', { ts: Date.now() })])).toString('base64') })).rejects.toThrow(IngestRetryableError);
  });
});

describe('openIngestWarehouse (OBS_WAREHOUSE)', () => {
  it('opens DuckDB with the schema created', async () => {
    const wh = await openIngestWarehouse({ warehouse: 'duckdb', duckdbPath: ':memory:', bigqueryDataset: 'x', projectId: undefined });
    expect(wh).toBeInstanceOf(DuckDbWarehouse);
    expect(await storedIds(wh)).toEqual([]);
    await wh.close();
  });

  it('chooses BigQuery for OBS_WAREHOUSE=bigquery (and says where it failed when it cannot reach it)', async () => {
    const spy = jest.spyOn(BigQueryWarehouse.prototype, 'createSchema').mockRejectedValue(new Error('unreachable'));
    await expect(openIngestWarehouse({ warehouse: 'bigquery', duckdbPath: '', bigqueryDataset: 'obs_ds', projectId: 'p' })).rejects.toThrow('could not create the schema in BigQuery dataset obs_ds');
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });
});
