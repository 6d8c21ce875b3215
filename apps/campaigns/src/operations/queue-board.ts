import { INestApplication } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { NextFunction, Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { sqlOne } from '@izinli/database';
import { BullJobQueue, JobQueue } from '@izinli/queue';
import { hashApiKey } from '../common/auth/api-key-hasher';
import { problem } from '../common/http/problem-details.filter';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board for the operator. A browser cannot send a bearer header, so the operator key is also accepted as
 * the password of HTTP Basic auth (any user name). With the in-process queue there is no Bull to show, and the
 * path answers 404 with a problem saying why.
 */
export function mountQueueBoard(app: INestApplication): void {
  const queue = app.get(JobQueue);
  const ds = app.get(DataSource);
  const auth = async (req: Request, res: Response, next: NextFunction) => {
    const h = req.headers.authorization ?? '';
    let key: string | undefined;
    if (/^Bearer\s+/i.test(h)) key = h.replace(/^Bearer\s+/i, '').trim();
    else if (/^Basic\s+/i.test(h))
      key = Buffer.from(h.replace(/^Basic\s+/i, ''), 'base64')
        .toString('utf8')
        .split(':')
        .slice(1)
        .join(':');
    const ok =
      key &&
      key.length < 200 &&
      (await sqlOne(ds, 'SELECT 1 FROM api_keys WHERE key_hash = $1 AND is_operator AND revoked_at IS NULL', [
        hashApiKey(key),
      ]));
    if (!ok) {
      res.status(401).set('WWW-Authenticate', 'Basic realm="Izinli queues"').type('application/problem+json');
      res.send(JSON.stringify(problem(401, 'UNAUTHORIZED', 'The queue board needs the operator key.')));
      return;
    }
    next();
  };
  if (!(queue instanceof BullJobQueue)) {
    app.use(QUEUE_BOARD_PATH, (req: Request, res: Response, next: NextFunction) =>
      auth(req, res, () => {
        res.status(404).type('application/problem+json');
        res.send(JSON.stringify(problem(404, 'NOT_FOUND', 'The queue board needs Bull: set REDIS_URL.')));
      }).catch(next),
    );
    return;
  }
  const adapter = new ExpressAdapter();
  adapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: queue.all().map((q) => new BullAdapter(q)), serverAdapter: adapter });
  app.use(
    QUEUE_BOARD_PATH,
    (req: Request, res: Response, next: NextFunction) => void auth(req, res, next).catch(next),
    adapter.getRouter(),
  );
}
