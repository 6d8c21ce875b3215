import { Controller, Get, HttpCode, HttpStatus, Logger, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ConsentImporter, IMPORT_DEFAULTS, ImportRejectedError } from '@izinli/consent';
import { CurrentServiceProviderId, ServiceProviderOnly } from '../common/auth/auth.decorators';
import { ApiError } from '../common/http/api-error';
import { decodeCursor, encodeCursor, PageQueryDto } from '../common/http/paging';
import { TenancyService } from '../tenancy/tenancy.service';
import { toConsentBrand } from './brand-scope';
import { ImportCreatedDto, ImportDto } from './imports.dto';
import { ConsentImportsProcessor } from './imports.processor';

/** The largest CSV body accepted (design.md §3: bodies over the limit get 413). */
export const IMPORT_MAX_BYTES = IMPORT_DEFAULTS.maxBytes;

const isLine = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

@ApiTags('consents')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller()
export class ImportsController {
  private readonly log = new Logger('ConsentImports');

  constructor(
    private readonly tenancy: TenancyService,
    private readonly importer: ConsentImporter,
    private readonly jobs: ConsentImportsProcessor,
  ) {}

  /**
   * Streams the CSV body into the database as it arrives (no body parser buffers text/csv) and answers once
   * every byte is stored; the rows are read by a worker. A wrong header is refused here, from the first line.
   */
  @Post('v1/brands/:brandCode/consents/imports')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiConsumes('text/csv')
  @ApiBody({
    description: 'Header `recipient,type,status,source,consentDate,recipientType` (the last three optional), UTF-8.',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 202, type: ImportCreatedDto })
  async upload(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Req() req: Request,
  ): Promise<ImportCreatedDto> {
    const brand = toConsentBrand(await this.tenancy.requireOwnedBrand(spId, brandCode));
    requireCsv(req);
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > IMPORT_MAX_BYTES) throw tooLarge(req);
    const id = await this.importer
      .receive(brand, req, { recordedBy: `service-provider:${spId}`, maxBytes: IMPORT_MAX_BYTES })
      .catch((err: unknown) => {
        throw uploadError(err, req);
      });
    // The import is a QUEUED row already: if the queue is down now, the sweep offers it again later.
    await this.jobs
      .enqueue(id)
      .catch((err: Error) =>
        this.log.warn({ importId: id, err: err.message }, 'could not queue the import; the sweep will'),
      );
    return { id };
  }

  @Get('v1/imports/:id')
  @ApiOkResponse({ type: ImportDto })
  async get(
    @CurrentServiceProviderId() spId: string,
    @Param('id') id: string,
    @Query() q: PageQueryDto,
  ): Promise<ImportDto> {
    const afterLine = decodeCursor(q.after, isLine) ?? 0;
    const s = await this.importer.summary(id, spId, { limit: q.limit ?? 100, afterLine });
    // Another tenant's import is answered exactly like one that does not exist.
    if (!s) throw ApiError.notFound('Import');
    return {
      id: s.id,
      brandCode: s.brandCode,
      status: s.status,
      total: s.total,
      accepted: s.accepted,
      rejected: s.rejected,
      firstRefusals: s.firstRefusals,
      errors: s.errors,
      next: s.nextAfterLine === null ? null : encodeCursor(s.nextAfterLine),
      iys: s.iys,
      ...(s.failure ? { failure: s.failure } : {}),
      createdAt: s.createdAt.toISOString(),
      ...(s.finishedAt ? { finishedAt: s.finishedAt.toISOString() } : {}),
    };
  }
}

/** text/csv, UTF-8 (the default when no charset is named). */
function requireCsv(req: Request): void {
  const [type, ...params] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (
    type !== 'text/csv' ||
    (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii')
  ) {
    closeAfterAnswer(req);
    throw new ApiError(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the file as text/csv in UTF-8 (content-type: text/csv; charset=utf-8).',
    );
  }
}

function tooLarge(req: Request): ApiError {
  closeAfterAnswer(req);
  return new ApiError(
    HttpStatus.PAYLOAD_TOO_LARGE,
    'PAYLOAD_TOO_LARGE',
    `The file is larger than ${IMPORT_MAX_BYTES} bytes; split it into several imports.`,
  );
}

function uploadError(err: unknown, req: Request): unknown {
  if (err instanceof ImportRejectedError) {
    if (err.code === 'PAYLOAD_TOO_LARGE') return tooLarge(req);
    closeAfterAnswer(req);
    return ApiError.unprocessable(err.code, err.message);
  }
  if ((err as { code?: string }).code === 'ECONNRESET' || req.destroyed) {
    return new ApiError(HttpStatus.BAD_REQUEST, 'BAD_REQUEST', 'The upload was interrupted; nothing was kept.');
  }
  return err;
}

/** The rest of a refused body is not worth receiving: close the connection once the answer is out. */
function closeAfterAnswer(req: Request): void {
  if (!req.complete) req.res?.setHeader('Connection', 'close');
}
