import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
  /** A stable code for the field's problem, where one exists (INVALID_EMAIL, REGISTRATION_WINDOW_PASSED …). */
  code?: string;
}

/**
 * A domain error with a stable upper-case code, rendered as application/problem+json by ProblemDetailsFilter.
 * Clients branch on `code`; `detail` is for people.
 */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail, status);
  }

  static notFound(what: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, 'NOT_FOUND', `${what} not found`);
  }

  static conflict(code: string, detail: string, extra?: Record<string, unknown>): ApiError {
    return new ApiError(HttpStatus.CONFLICT, code, detail, [], extra);
  }

  static validation(errors: FieldError[], detail = 'The request is not valid.'): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', detail, errors);
  }

  static unprocessable(
    code: string,
    detail: string,
    errors: FieldError[] = [],
    extra?: Record<string, unknown>,
  ): ApiError {
    return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, code, detail, errors, extra);
  }
}
