import { Injectable } from '@nestjs/common';
import { Sql } from '../../database/sql';
import { InboxStatus } from './entities/webhook-inbox-entry.entity';

/** A received event, as stored in `webhook_inbox`. */
export interface NewInboxEntry {
  source: string;
  webhookId: string;
  /** `webhook-timestamp`, in seconds. */
  sentAt: number;
  eventType: string | null;
  status: InboxStatus;
  payload: object | null;
  bodyEncrypted: string | null;
  error: string | null;
}

interface Pending {
  entry: NewInboxEntry;
  resolve: (id: string | null) => void;
  reject: (error: unknown) => void;
}

/** Most entries one statement stores. */
const MAX_BATCH = 500;

/**
 * Stores received events in batches. The events whose requests reach this point in the same
 * turn of the event loop are inserted by one statement, so one commit: under a burst of
 * events, the database commits once per batch instead of once per event. Each caller is
 * answered only after that commit: with its entry's id, or null when its `webhook-id` was
 * stored before (earlier, or by an earlier request of the same batch). When a batch's
 * statement fails (it then stores nothing), its entries are stored one by one: an entry the
 * database refuses fails its own request only.
 */
@Injectable()
export class InboxWriter {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly sql: Sql) {}

  insert(entry: NewInboxEntry): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) void this.write(this.queue.splice(0, MAX_BATCH));
  }

  private async write(batch: Pending[]): Promise<void> {
    const column = <K extends keyof NewInboxEntry>(key: K) => batch.map((p) => p.entry[key]);
    try {
      const rows = await this.sql.rows<{ id: string; source: string; webhookId: string }>(
        `INSERT INTO webhook_inbox (source, webhook_id, sent_at, event_type, status, payload, body_encrypted, error)
         SELECT source, webhook_id, to_timestamp(sent_at), event_type, status, payload::jsonb, body_encrypted, error
           FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
                AS e(source, webhook_id, sent_at, event_type, status, payload, body_encrypted, error)
         ON CONFLICT (source, webhook_id) DO NOTHING
         RETURNING id, source, webhook_id AS "webhookId"`,
        [
          column('source'),
          column('webhookId'),
          column('sentAt'),
          column('eventType'),
          column('status'),
          batch.map((p) => (p.entry.payload === null ? null : JSON.stringify(p.entry.payload))),
          column('bodyEncrypted'),
          column('error'),
        ],
      );
      const stored = new Map(rows.map((r) => [`${r.source}\u0000${r.webhookId}`, r.id]));
      for (const { entry, resolve } of batch) {
        const key = `${entry.source}\u0000${entry.webhookId}`;
        const id = stored.get(key);
        // A second request of the batch with the same id is a duplicate of the first.
        stored.delete(key);
        resolve(id ?? null);
      }
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      // Stored nothing: each entry alone now, so that one entry the database refuses fails only its own request.
      await Promise.all(batch.map((p) => this.write([p])));
    }
  }
}
