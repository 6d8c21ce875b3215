import { randomUUID } from 'crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, type LoggerService } from '@nestjs/common';
import type { Request, Response } from 'express';
import { IysError, OAuthError, errorItem } from '../core/iys-errors';

export function isTestSurfacePath(path: string): boolean {
  return path === '/_sim' || path.startsWith('/_sim/');
}

/** Writes an İYS error answer and notes its codes for the request log. */
export function sendIysError(res: Response, error: IysError): void {
  res.locals.codes = error.errors.map((e) => e.code);
  res.status(error.status).json(error.body());
}

/**
 * One place that turns exceptions into answers: İYS errors in İYS's shape, token errors in OAuth's, unknown
 * routes as a 404 in İYS's shape, the test surface's validation errors in Nest's usual shape, and anything
 * unexpected as 500 H015 (logged with an id, since a bug in the simulator must be visible, not blamed on İYS).
 */
@Catch()
export class IysExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: LoggerService) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();
    if (res.headersSent) return;
    if (exception instanceof IysError) {
      sendIysError(res, exception);
      return;
    }
    if (exception instanceof OAuthError) {
      res.status(400).json({ error: exception.error, error_description: exception.description });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (isTestSurfacePath(req.path)) {
        const body = exception.getResponse();
        res.status(status).json(typeof body === 'string' ? { statusCode: status, message: body } : body);
        return;
      }
      const code = status === 404 ? 'SIM404' : 'H015';
      sendIysError(
        res,
        new IysError(status, [errorItem(code, status === 404 ? { message: 'Kaynak bulunamadı.' } : {})]),
      );
      return;
    }
    const errorId = randomUUID();
    this.logger.error(
      `unexpected error ${errorId} on ${req.method} ${req.path}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    sendIysError(res, new IysError(500, [errorItem('H015')]));
  }
}
