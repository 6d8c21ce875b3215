import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IMPORT_STATUSES, type ImportStatus } from '@izinli/consent';

export class ImportCreatedDto {
  @ApiProperty({ format: 'uuid' }) id: string;
}

export class ImportRowErrorDto {
  @ApiProperty({ description: 'Line in the file; the header is line 1.' }) line: number;
  @ApiProperty({ example: 'REGISTRATION_WINDOW_PASSED' }) code: string;
  @ApiProperty() message: string;
}

export class ImportIysCountsDto {
  @ApiProperty({ description: 'Outgoing İYS rows of this import not yet accepted or rejected.' }) pending: number;
  @ApiProperty() accepted: number;
  @ApiProperty() rejected: number;
  @ApiProperty({
    description:
      'Kept locally only: stale rows, RETs İYS must not receive (`firstRefusals` among them), brands that sync İYS themselves.',
  })
  notRequired: number;
}

export class ImportDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() brandCode: string;
  @ApiProperty({ enum: IMPORT_STATUSES }) status: ImportStatus;
  @ApiProperty({ description: 'Rows read so far: accepted + rejected.' }) total: number;
  @ApiProperty({
    description: 'Rows held in the registry (new movements, stale ones kept in history, repeats of the current state).',
  })
  accepted: number;
  @ApiProperty({ description: 'Rows refused; also the total number of errors.' }) rejected: number;
  @ApiProperty({
    description:
      'Of the accepted rows, the RETs for an address İYS has never seen (İYS refuses a first RET, H175): kept as ' +
      'POST …/consents keeps them, blocking commercial mail to the address, and never sent to İYS.',
  })
  firstRefusals: number;
  @ApiProperty({
    type: [ImportRowErrorDto],
    description: 'One page of refused rows by line (`?limit=`, default 100, at most 1000).',
  })
  errors: ImportRowErrorDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `?after=` for the next page of errors; null on the last page.',
  })
  next: string | null;
  @ApiProperty({ type: ImportIysCountsDto }) iys: ImportIysCountsDto;
  @ApiPropertyOptional({ description: 'Why a FAILED import stopped.' }) failure?: string;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional() finishedAt?: string;
}
