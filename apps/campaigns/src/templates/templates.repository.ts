import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlOne, SqlExecutor } from '@izinli/database';
import type { TemplateLayout } from './template-engine';

export interface TemplateRow {
  id: string;
  brandId: string;
  brandCode: string;
  brandName: string;
  name: string;
  subject: string;
  html: string;
  text: string | null;
  layout: TemplateLayout;
  createdAt: Date;
}

const COLUMNS = `t.id, t.brand_id AS "brandId", b.brand_code AS "brandCode", b.name AS "brandName", t.name, t.subject, t.html, t.text,
  t.layout, t.created_at AS "createdAt"`;

@Injectable()
export class TemplatesRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(
    brandId: string,
    t: { name: string; subject: string; html: string; text: string | null; layout: TemplateLayout },
  ): Promise<TemplateRow> {
    const row = await sqlOne<{ id: string }>(
      this.ds,
      `INSERT INTO templates (brand_id, name, subject, html, text, layout) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [brandId, t.name, t.subject, t.html, t.text, t.layout],
    );
    return (await this.findById(this.ds, row!.id))!;
  }

  findById(ex: SqlExecutor, id: string): Promise<TemplateRow | undefined> {
    return sqlOne<TemplateRow>(
      ex,
      `SELECT ${COLUMNS} FROM templates t JOIN brands b ON b.id = t.brand_id WHERE t.id = $1`,
      [id],
    );
  }

  /** The tenancy boundary for template routes: found only within the owner's brands. */
  findOwned(serviceProviderId: string, id: string): Promise<TemplateRow | undefined> {
    return sqlOne<TemplateRow>(
      this.ds,
      `SELECT ${COLUMNS} FROM templates t JOIN brands b ON b.id = t.brand_id WHERE t.id = $1 AND b.service_provider_id = $2`,
      [id, serviceProviderId],
    );
  }
}
