import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { TEMPLATE_LAYOUTS, type TemplateLayout } from './template-engine';

// eslint-disable-next-line no-control-regex -- a NUL or line break would end a header line
const SINGLE_LINE = /^[^\r\n\u2028\u2029\u0000]*$/;

export class CreateTemplateDto {
  @ApiProperty({ example: 'Yeni sezon' })
  @IsString()
  @Length(1, 200)
  @Matches(SINGLE_LINE, { message: 'name must be a single line' })
  name: string;

  @ApiProperty({
    description: 'Handlebars; plain text (not HTML-escaped), kept on one line when rendered.',
    example: '{{firstName}}, yeni sezon geldi',
  })
  @IsString()
  @Length(1, 998)
  subject: string;

  @ApiProperty({
    description:
      'Handlebars HTML. Values are always escaped ({{{…}}} is refused). Partials: {{> unsubscribe}}, {{> button href=… label=…}}, or your own {{#*inline "name"}}. ' +
      'Place the unsubscribe link with {{unsubscribeUrl}}; commercial mail without it gets a footer.',
    example:
      '<p>Merhaba {{default firstName "Değerli müşterimiz"}},</p><p><a href="{{unsubscribeUrl}}">Abonelikten çık</a></p>',
  })
  @IsString()
  @Length(1, 512_000)
  html: string;

  @ApiPropertyOptional({ description: 'Handlebars plain text. Derived from the HTML when missing.' })
  @IsOptional()
  @IsString()
  @MaxLength(256_000)
  text?: string;

  @ApiPropertyOptional({
    enum: TEMPLATE_LAYOUTS,
    default: 'none',
    description: '`basic` wraps the HTML in a simple responsive layout with the brand name.',
  })
  @IsOptional()
  @IsIn(TEMPLATE_LAYOUTS as unknown as string[])
  layout?: TemplateLayout;
}

export class TemplateDto {
  @ApiProperty() id: string;
  @ApiProperty() brandCode: string;
  @ApiProperty() name: string;
  @ApiProperty() subject: string;
  @ApiProperty() html: string;
  @ApiPropertyOptional({ nullable: true, type: String }) text: string | null;
  @ApiProperty({ enum: TEMPLATE_LAYOUTS }) layout: TemplateLayout;
  @ApiProperty() createdAt: string;
}

export class PreviewTemplateDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Sample personalisation fields.',
    example: { firstName: 'Ayşe' },
  })
  @IsOptional()
  @IsObject()
  data?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'ayse@example.com',
    description: 'The address shown as {{email}}; a placeholder when missing.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;
}

export class TemplatePreviewDto {
  @ApiProperty() subject: string;
  @ApiProperty() html: string;
  @ApiProperty() text: string;
}
