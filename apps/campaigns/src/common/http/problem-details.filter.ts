import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import type { Request, Response } from 'express';
import { isConnectionError } from '@izinli/database';
import { ApiError, FieldError } from './api-error';
import { renderUnsubscribePage, UNSUBSCRIBE_PAGE_HEADERS } from '../../unsubscribe/unsubscribe-page';

/** Recipients' pages (the unsubscribe link) answer every error as a page, never as JSON. */
const PAGE_PATH = /^\/u(\/|$)/;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/**
 * Seconds a client is told to wait while the database cannot be reached: about what a PostgreSQL restart or a
 * fail-over takes; the pool reconnects by itself on the next request after it.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  503: 'UNAVAILABLE',
};

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors: FieldError[];
  [extra: string]: unknown;
}

/** Body-parser errors carry a `type` and a status; they are the client's fault, never a 500. */
export function bodyParserProblem(err: unknown): ProblemBody | undefined {
  const e = err as { type?: string; status?: number; statusCode?: number; message?: string };
  if (!e || typeof e.type !== 'string') return undefined;
  switch (e.type) {
    case 'entity.too.large':
      return problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is larger than the limit.');
    case 'entity.parse.failed':
      return problem(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'The request body encoding is not supported.');
    case 'request.aborted':
      return problem(400, 'BAD_REQUEST', 'The request was aborted.');
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'parameters.too.many':
      return problem(400, 'BAD_REQUEST', e.message ?? 'Bad request.');
    default:
      return undefined;
  }
}

export function problem(status: number, code: string, detail: string, errors: FieldError[] = []): ProblemBody {
  return {
    type: `https://izinli.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    errors,
  };
}

/** The one exception filter: domain errors and HTTP errors become problem+json; unknown ones are logged with an id. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly log = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const body = this.toProblem(exception, req);
    if (res.headersSent) return;
    if (body.code === 'SERVICE_UNAVAILABLE') res.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    if (PAGE_PATH.test(req.path)) {
      res
        .status(body.status)
        .set(UNSUBSCRIBE_PAGE_HEADERS)
        .send(renderUnsubscribePage({ kind: 'error', status: body.status }));
      return;
    }
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(exception: unknown, req: Request): ProblemBody {
    if (exception instanceof ApiError) {
      return {
        ...problem(exception.getStatus(), exception.code, exception.message, exception.errors),
        ...exception.extra,
      };
    }
    const parsed = bodyParserProblem(exception);
    if (parsed) return parsed;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? (response as { message: string[] }).message.join('; ')
            : String((response as { message?: unknown }).message ?? exception.message);
      if (status === HttpStatus.NOT_FOUND && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(message)) {
        return problem(404, 'NOT_FOUND', `No route for ${req.method} ${req.path}.`);
      }
      return problem(status, CODES[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message);
    }
    if (isConnectionError(exception)) {
      // Not a bug to chase: the database is restarting or unreachable, and the same request will work again.
      this.log.warn(
        { method: req.method, path: req.route?.path ?? 'unmatched', err: exception },
        'database unavailable; answered 503',
      );
      return problem(
        503,
        'SERVICE_UNAVAILABLE',
        `The database is unavailable for a moment. Retry in ${DATABASE_RETRY_AFTER_SECONDS} seconds.`,
      );
    }
    const errorId = randomUUID();
    this.log.error(
      { errorId, method: req.method, path: req.route?.path ?? 'unmatched', err: exception },
      `unhandled error ${errorId}`,
    );
    return { ...problem(500, 'INTERNAL', `An unexpected error occurred. Reference: ${errorId}.`), errorId };
  }
}
