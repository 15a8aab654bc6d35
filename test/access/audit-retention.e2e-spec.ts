import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../../src/modules/audit/audit.service';
import { startTestApp } from '../setup/app';

describe('audit retention', () => {
  let app: NestFastifyApplication;
  let db: DataSource;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.get(DataSource);
  });
  afterAll(() => app.close());

  const insert = async (monthsAgo: number) => {
    const resourceId = randomUUID();
    await db.query(
      `INSERT INTO audit_events (occurred_at, actor_type, action, resource_type, resource_id)
       VALUES (now() - make_interval(months => $1), 'system', 'retention.probe', 'probe', $2)`,
      [monthsAgo, resourceId],
    );
    return resourceId;
  };
  const exists = async (id: string) => (await db.query(`SELECT 1 FROM audit_events WHERE resource_id = $1`, [id])).length === 1;

  it('refuses to update or delete an event outside the purge', async () => {
    const id = await insert(1);
    await expect(db.query(`UPDATE audit_events SET action = 'x' WHERE resource_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_events WHERE resource_id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(db.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    expect(await exists(id)).toBe(true);
  });

  it('purges only the events older than the retention period (12 months by default)', async () => {
    const old = await insert(13);
    const recent = await insert(11);
    const deleted = await app.get(AuditService).purge();
    expect(deleted).toBeGreaterThanOrEqual(1);
    expect(await exists(old)).toBe(false);
    expect(await exists(recent)).toBe(true);
  });
});
