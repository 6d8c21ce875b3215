import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentServiceProviderId, ServiceProviderOnly } from '../common/auth/auth.decorators';
import { ApiError } from '../common/http/api-error';
import { CreateTemplateDto, PreviewTemplateDto, TemplateDto, TemplatePreviewDto } from './templates.dto';
import { TemplatesService } from './templates.service';

// A malformed id is answered like an unknown one: 404, never a 500 from the database.
const templateId = new ParseUUIDPipe({ exceptionFactory: () => ApiError.notFound('Template') });

@ApiTags('templates')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller('v1')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Post('brands/:brandCode/templates')
  @ApiCreatedResponse({ type: TemplateDto })
  @ApiUnprocessableEntityResponse({
    description:
      'TEMPLATE_INVALID: the template does not compile; each error names its part and line. TEMPLATE_TOO_DEEP: ' +
      'its partials call each other more than 10 levels deep. TEMPLATE_TOO_LARGE: its partials alone expand ' +
      'beyond the rendering limit.',
  })
  create(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Body() dto: CreateTemplateDto,
  ): Promise<TemplateDto> {
    return this.templates.create(spId, brandCode, dto);
  }

  @Get('templates/:id')
  @ApiOkResponse({ type: TemplateDto })
  get(@CurrentServiceProviderId() spId: string, @Param('id', templateId) id: string): Promise<TemplateDto> {
    return this.templates.get(spId, id);
  }

  @Post('templates/:id/preview')
  @HttpCode(200)
  @ApiOkResponse({ type: TemplatePreviewDto })
  @ApiUnprocessableEntityResponse({
    description:
      'TEMPLATE_RENDER_FAILED: the template failed on this data. TEMPLATE_TOO_LARGE / TEMPLATE_TOO_DEEP: on this ' +
      'data it renders more than the limits allow (1 MiB of html, 100,000 steps, partials 10 deep).',
  })
  preview(
    @CurrentServiceProviderId() spId: string,
    @Param('id', templateId) id: string,
    @Body() dto: PreviewTemplateDto,
  ): Promise<TemplatePreviewDto> {
    return this.templates.preview(spId, id, dto);
  }
}
