import { performance } from 'perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { IysError } from '../core/iys-errors';
import { LimitsService, clientIpOf } from '../limits/limits.service';
import type { SimulatorState } from '../state/simulator-state';
import { BodyError, readBody } from './body-reader';
import { isTestSurfacePath, sendIysError } from './iys-exception.filter';
import { type RequestLogEntry, redactSecrets } from './request-log';
import { mayUseTestSurface } from './test-surface-access';

/**
 * Everything that happens to an İYS request before its controller, in one plain express handler so the hot path
 * stays short: the request log entry, an outage (connection reset), body parsing (bad JSON → 400 H014), added
 * latency, the per-second limit (429 H124) and injected errors. The test surface (/_sim/) is first checked for who
 * may use it (403 SIM403: see mayUseTestSurface), then only gets its body parsed: it is never logged, limited or
 * faulted, so a test can always reach it.
 */
export function createRequestPipeline(
  state: SimulatorState,
  limits: LimitsService,
  testSurfaceToken?: string,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    if (isTestSurfacePath(path)) {
      if (!mayUseTestSurface(req, testSurfaceToken)) {
        sendIysError(res, IysError.of('SIM403'));
        return;
      }
      readBody(req, (err, body) => {
        if (err) {
          const status = err.reason === 'too-large' ? 413 : 400;
          res.status(status).json({
            statusCode: status,
            message: err.reason === 'too-large' ? 'The body is too large.' : 'The body is not valid JSON.',
          });
          return;
        }
        req.body = body;
        next();
      });
      return;
    }

    const started = performance.now();
    const entry: RequestLogEntry = {
      time: new Date(state.nowMs()).toISOString(),
      method: req.method,
      path: req.originalUrl,
      body: undefined,
      status: 0,
      clientIp: clientIpOf(req),
    };
    state.requestLog.add(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.durationMs = Math.round((performance.now() - started) * 100) / 100;
      if (res.locals.codes) entry.codes = res.locals.codes as string[];
      if (res.locals.username) entry.username = res.locals.username as string;
    });

    const faults = state.faults;
    const faulty = !faults.isIdle();
    if (faulty && faults.isOutage(path)) {
      req.socket.destroy();
      return;
    }

    const proceed = () => {
      try {
        limits.enforce('perSecond', req);
      } catch (error) {
        sendIysError(res, error as IysError);
        return;
      }
      if (faulty) {
        const outcome = faults.decide(path);
        if (outcome.kind === 'error') {
          sendIysError(res, IysError.of(outcome.code));
          return;
        }
      }
      next();
    };

    // Any content type is read as JSON (İYS's default) unless it is a form, which only the token endpoint takes.
    readBody(req, (err: BodyError | null, body?: unknown) => {
      if (err) {
        // Too large is answered like any unreadable body: İYS documents no 413.
        sendIysError(res, IysError.of('H014'));
        return;
      }
      req.body = body;
      entry.body = redactSecrets(body);
      const latency = faulty ? faults.latencyFor(path) : 0;
      if (latency > 0) setTimeout(proceed, latency);
      else proceed();
    });
  };
}
