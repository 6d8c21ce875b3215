import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentServiceProviderId, ServiceProviderOnly } from '../common/auth/auth.decorators';
import { ApiError } from '../common/http/api-error';
import { MessageAcceptedDto, MessageDto, SendMessageDto } from './messages.dto';
import { MessagesService, problemToError } from './messages.service';

const messageId = new ParseUUIDPipe({ exceptionFactory: () => ApiError.notFound('Message') });

@ApiTags('messages')
@ApiBearerAuth()
@ServiceProviderOnly()
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post()
  @HttpCode(202)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Repeat a request safely: the same key and body answer the first answer again (kept at least 24 h).',
  })
  @ApiAcceptedResponse({ type: MessageAcceptedDto })
  @ApiUnprocessableEntityResponse({
    description:
      'CONSENT_REQUIRED (commercial, with the gate’s reason), SUPPRESSED, UNKNOWN_REFERENCE, TEMPLATE_INVALID, TEMPLATE_RENDER_FAILED, TEMPLATE_TOO_LARGE, TEMPLATE_TOO_DEEP',
  })
  @ApiConflictResponse({ description: 'IDEMPOTENCY_KEY_REUSED: the key was used with another body' })
  async send(
    @CurrentServiceProviderId() spId: string,
    @Body() dto: SendMessageDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    const answer = await this.messages.send(spId, dto, idempotencyKey);
    if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
    if (answer.status >= 400) throw problemToError(answer.body);
    res.status(answer.status);
    return answer.body;
  }

  @Get(':id')
  @ApiOkResponse({ type: MessageDto })
  @ApiNotFoundResponse({ description: 'Not found among the caller’s messages (another tenant’s id included).' })
  get(@CurrentServiceProviderId() spId: string, @Param('id', messageId) id: string): Promise<MessageDto> {
    return this.messages.get(spId, id);
  }
}
