import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlOne } from '@izinli/database';
import type { ContactInput } from './contact-input';

export interface ListRow {
  id: string;
  brandId: string;
  brandCode: string;
  name: string;
  createdAt: Date;
}

const LIST_COLUMNS = `l.id, l.brand_id AS "brandId", b.brand_code AS "brandCode", l.name, l.created_at AS "createdAt"`;

@Injectable()
export class AudiencesRepository {
  constructor(private readonly ds: DataSource) {}

  async insertList(brandId: string, name: string): Promise<ListRow> {
    const row = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO contact_lists (brand_id, name) VALUES ($1, $2) RETURNING id`,
      [brandId, name],
    );
    return (await sqlOne<ListRow>(
      this.ds,
      `SELECT ${LIST_COLUMNS} FROM contact_lists l JOIN brands b ON b.id = l.brand_id WHERE l.id = $1`,
      [row!.id],
    ))!;
  }

  /** The tenancy boundary for list routes: found only within the owner's brands. */
  findOwnedList(serviceProviderId: string, id: string): Promise<ListRow | undefined> {
    return sqlOne<ListRow>(
      this.ds,
      `SELECT ${LIST_COLUMNS} FROM contact_lists l JOIN brands b ON b.id = l.brand_id WHERE l.id = $1 AND b.service_provider_id = $2`,
      [id, serviceProviderId],
    );
  }

  async countContacts(listId: string): Promise<number> {
    return (await sqlOne<{ n: number }>(this.ds, `SELECT count(*)::int AS n FROM contacts WHERE list_id = $1`, [
      listId,
    ]))!.n;
  }

  /**
   * Inserts or replaces a batch of contacts (unique e-mails within the batch) in one statement; answers how many
   * were new. The batch travels as one JSON document so the statement is the same on PostgreSQL and PGlite.
   */
  async upsertContacts(listId: string, batch: ContactInput[]): Promise<{ added: number; updated: number }> {
    if (batch.length === 0) return { added: 0, updated: 0 };
    const r = await sqlOne<{ added: number; total: number }>(
      this.ds,
      `WITH up AS (
         INSERT INTO contacts (list_id, email, recipient_type, data)
         SELECT $1, e->>'email', e->>'recipientType', e->'data' FROM jsonb_array_elements($2::jsonb) AS e
         ON CONFLICT (list_id, email) DO UPDATE
           SET recipient_type = EXCLUDED.recipient_type, data = EXCLUDED.data, updated_at = now()
         RETURNING (xmax = 0) AS inserted
       )
       SELECT (count(*) FILTER (WHERE inserted))::int AS added, count(*)::int AS total FROM up`,
      [listId, JSON.stringify(batch)],
    );
    return { added: r!.added, updated: r!.total - r!.added };
  }
}
