import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CurrentServiceProviderId, ServiceProviderOnly } from '../common/auth/auth.decorators';
import { ApiError } from '../common/http/api-error';
import { ContactUploadResultDto, CreateListDto, ListDto } from './audiences.dto';
import { AudiencesService } from './audiences.service';

const listId = new ParseUUIDPipe({ exceptionFactory: () => ApiError.notFound('List') });

@ApiTags('audiences')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller('v1')
export class ListsController {
  constructor(private readonly audiences: AudiencesService) {}

  @Post('brands/:brandCode/lists')
  @ApiCreatedResponse({ type: ListDto })
  create(
    @CurrentServiceProviderId() spId: string,
    @Param('brandCode') brandCode: string,
    @Body() dto: CreateListDto,
  ): Promise<ListDto> {
    return this.audiences.createList(spId, brandCode, dto);
  }

  @Get('lists/:id')
  @ApiOkResponse({ type: ListDto })
  get(@CurrentServiceProviderId() spId: string, @Param('id', listId) id: string): Promise<ListDto> {
    return this.audiences.getList(spId, id);
  }

  /**
   * Adds or updates contacts, matched by e-mail. JSON (`[{ email, recipientType?, data? }]`, up to 10,000) or
   * CSV streamed from the request (a header with an `email` column; `recipientType` optional; every other column
   * becomes a text field of `data`). Rejected rows are reported one by one; the rest are stored.
   */
  @Post('lists/:id/contacts')
  @HttpCode(200)
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    schema: {
      oneOf: [
        {
          type: 'array',
          items: {
            type: 'object',
            required: ['email'],
            properties: {
              email: { type: 'string' },
              recipientType: { type: 'string', enum: ['BIREYSEL', 'TACIR'] },
              data: { type: 'object' },
            },
          },
        },
        { type: 'string', description: 'CSV with a header line', example: 'email,firstName\nayse@example.com,Ayşe' },
      ],
    },
  })
  @ApiOkResponse({ type: ContactUploadResultDto })
  async addContacts(
    @CurrentServiceProviderId() spId: string,
    @Param('id', listId) id: string,
    @Req() req: Request,
  ): Promise<ContactUploadResultDto> {
    if (req.is(['text/csv', 'application/csv'])) return this.audiences.addCsvContacts(spId, id, req);
    if (req.is(['application/json', 'application/*+json'])) return this.audiences.addJsonContacts(spId, id, req.body);
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send contacts as application/json (an array) or text/csv.');
  }
}
