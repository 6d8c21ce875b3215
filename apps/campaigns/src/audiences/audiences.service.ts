import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/http/api-error';
import { TenancyService } from '../tenancy/tenancy.service';
import { CreateListDto, ContactUploadResultDto, ListDto } from './audiences.dto';
import { AudiencesRepository, ListRow } from './audiences.repository';
import {
  checkCsvContact,
  checkJsonContact,
  ContactCheck,
  ContactInput,
  ContactRowError,
  CsvHeaderError,
  CsvSyntaxError,
  readCsvHeader,
  readCsvRecords,
  UploadTooLargeError,
} from './contact-input';

/** Rows stored per statement: large enough to amortise the round trip, small enough to keep memory flat. */
const BATCH = 1000;
const MAX_LISTED_ERRORS = 1000;
export const MAX_JSON_CONTACTS = 10_000;
export const MAX_CSV_BYTES = 100 * 1024 * 1024;

/** Collects validated rows into batches of distinct e-mails and counts the outcome. */
class UploadTally {
  added = 0;
  updated = 0;
  rejected = 0;
  errors: ContactRowError[] = [];
  private batch = new Map<string, ContactInput>();

  constructor(private readonly store: (batch: ContactInput[]) => Promise<{ added: number; updated: number }>) {}

  async take(check: ContactCheck): Promise<void> {
    if (!check.ok) {
      this.rejected++;
      if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(check.error);
      return;
    }
    // One statement cannot upsert the same key twice; a repeat in the upload goes in the next batch and wins.
    if (this.batch.has(check.contact.email) || this.batch.size >= BATCH) await this.flush();
    this.batch.set(check.contact.email, check.contact);
  }

  async flush(): Promise<void> {
    if (this.batch.size === 0) return;
    const r = await this.store([...this.batch.values()]);
    this.batch = new Map();
    this.added += r.added;
    this.updated += r.updated;
  }

  result(complete: boolean): ContactUploadResultDto {
    return { added: this.added, updated: this.updated, rejected: this.rejected, errors: this.errors, complete };
  }
}

export function toListDto(l: ListRow, contactCount: number): ListDto {
  return {
    id: l.id,
    brandCode: l.brandCode,
    name: l.name,
    contactCount,
    createdAt: new Date(l.createdAt).toISOString(),
  };
}

@Injectable()
export class AudiencesService {
  private readonly log = new Logger('Audiences');

  constructor(
    private readonly tenancy: TenancyService,
    private readonly repo: AudiencesRepository,
  ) {}

  async createList(spId: string, brandCode: string, dto: CreateListDto): Promise<ListDto> {
    const brand = await this.tenancy.requireOwnedBrand(spId, brandCode);
    const list = await this.repo.insertList(brand.id, dto.name);
    this.log.log({ brandId: brand.id, listId: list.id }, 'list created');
    return toListDto(list, 0);
  }

  async getList(spId: string, id: string): Promise<ListDto> {
    const list = await this.requireOwnedList(spId, id);
    return toListDto(list, await this.repo.countContacts(list.id));
  }

  async requireOwnedList(spId: string, id: string): Promise<ListRow> {
    const list = await this.repo.findOwnedList(spId, id);
    if (!list) throw ApiError.notFound('List');
    return list;
  }

  async addJsonContacts(spId: string, listId: string, body: unknown): Promise<ContactUploadResultDto> {
    const list = await this.requireOwnedList(spId, listId);
    if (!Array.isArray(body))
      throw ApiError.validation([{ field: 'body', message: 'the body must be a JSON array of contacts' }]);
    if (body.length > MAX_JSON_CONTACTS) {
      throw ApiError.validation([
        { field: 'body', message: `at most ${MAX_JSON_CONTACTS} contacts per JSON request; send larger lists as CSV` },
      ]);
    }
    const tally = new UploadTally((b) => this.repo.upsertContacts(list.id, b));
    for (let i = 0; i < body.length; i++) await tally.take(checkJsonContact(body[i], i + 1));
    await tally.flush();
    this.log.log(
      { listId: list.id, added: tally.added, updated: tally.updated, rejected: tally.rejected },
      'contacts uploaded (JSON)',
    );
    return tally.result(true);
  }

  async addCsvContacts(spId: string, listId: string, body: AsyncIterable<Buffer>): Promise<ContactUploadResultDto> {
    const list = await this.requireOwnedList(spId, listId);
    const tally = new UploadTally((b) => this.repo.upsertContacts(list.id, b));
    let header: { columns: ReturnType<typeof readCsvHeader>; width: number } | null = null;
    let row = 0;
    let complete = true;
    try {
      for await (const rec of readCsvRecords(body, MAX_CSV_BYTES)) {
        if (!header) {
          header = { columns: readCsvHeader(rec.fields), width: rec.fields.length };
          continue;
        }
        row++;
        await tally.take(checkCsvContact(rec.fields, header.columns, header.width, row, rec.line));
      }
      if (!header)
        throw ApiError.validation([
          { field: 'body', message: 'the CSV is empty: it needs a header line with an "email" column' },
        ]);
    } catch (err) {
      if (err instanceof CsvHeaderError) throw ApiError.validation([{ field: 'body', message: err.message }]);
      if (err instanceof UploadTooLargeError)
        throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `A CSV upload is limited to ${MAX_CSV_BYTES} bytes.`);
      if (!(err instanceof CsvSyntaxError)) throw err;
      if (!header) throw ApiError.validation([{ field: 'body', message: `the CSV cannot be read: ${err.message}` }]);
      // Rows before the broken one are stored; the answer says where it stopped.
      complete = false;
      tally.rejected++;
      tally.errors.push({
        row: row + 1,
        line: err.line,
        code: 'CSV_SYNTAX',
        message: `the CSV cannot be read from here on: ${err.message}`,
      });
    }
    await tally.flush();
    this.log.log(
      { listId: list.id, added: tally.added, updated: tally.updated, rejected: tally.rejected, complete },
      'contacts uploaded (CSV)',
    );
    return tally.result(complete);
  }
}
