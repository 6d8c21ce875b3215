import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CreateListDto {
  @ApiProperty({ example: 'Bülten aboneleri' })
  @IsString()
  @Length(1, 200)
  // eslint-disable-next-line no-control-regex -- a NUL or line break would end a header line
  @Matches(/^[^\r\n\u2028\u2029\u0000]*$/, { message: 'name must be a single line' })
  name: string;
}

export class ListDto {
  @ApiProperty() id: string;
  @ApiProperty() brandCode: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Contacts in the list.' }) contactCount: number;
  @ApiProperty() createdAt: string;
}

export class ContactRowErrorDto {
  @ApiProperty({
    description: 'Position of the contact in the upload, from 1 (CSV: data rows, the header not counted).',
  })
  row: number;
  @ApiProperty({ required: false, description: 'CSV only: the line the row ends on (the header is line 1).' })
  line?: number;
  @ApiProperty({ required: false }) field?: string;
  @ApiProperty({ example: 'INVALID_EMAIL' }) code: string;
  @ApiProperty() message: string;
}

export class ContactUploadResultDto {
  @ApiProperty({ description: 'New contacts.' }) added: number;
  @ApiProperty({
    description: 'Contacts already in the list (matched by e-mail), their recipient type and data replaced.',
  })
  updated: number;
  @ApiProperty({ description: 'Rows not stored; each has an entry in errors (the first 1,000 are listed).' })
  rejected: number;
  @ApiProperty({ type: [ContactRowErrorDto] }) errors: ContactRowErrorDto[];
  @ApiProperty({
    description: 'False when a CSV syntax error stopped the upload: rows before it were stored, none after.',
  })
  complete: boolean;
}
