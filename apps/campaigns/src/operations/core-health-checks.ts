import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@izinli/config';
import { sqlOne } from '@izinli/database';
import { MailTransport } from '@izinli/mailer';
import { JobQueue } from '@izinli/queue';
import { APP_CONFIG } from '../config.token';
import { IysEndpoint } from '../iys/iys-endpoint';
import { HealthService } from './health.service';

const MAIL_CHECK_CACHE_MS = 30_000;

@Injectable()
export class CoreHealthChecks implements OnModuleInit {
  private mailCache?: { at: number; result: Promise<void> };

  constructor(
    private readonly health: HealthService,
    private readonly ds: DataSource,
    private readonly queue: JobQueue,
    private readonly mail: MailTransport,
    private readonly iys: IysEndpoint,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.health.register('database', async () => {
      await sqlOne(this.ds, 'SELECT 1 AS ok');
      return { status: 'up', mode: this.config.database.url ? 'postgres' : 'embedded' };
    });
    this.health.register('queue', async () => {
      await this.queue.ping();
      return { status: 'up', mode: this.queue.kind };
    });
    this.health.register('mail', async () => {
      // Opening an SMTP connection on every probe would be rude to the relay: reuse a recent answer.
      const now = Date.now();
      if (!this.mailCache || now - this.mailCache.at > MAIL_CHECK_CACHE_MS)
        this.mailCache = { at: now, result: this.mail.verify() };
      await this.mailCache.result;
      return { status: 'up', mode: this.mail.kind };
    });
    this.health.register('iys', async () => {
      const url = this.iys.baseUrl();
      const ctrl = new AbortController();
      const t = setTimeout(() => ctrl.abort(), 2000);
      try {
        const res = await fetch(url, { method: 'GET', signal: ctrl.signal });
        await res.arrayBuffer();
        return {
          status: 'up',
          mode: this.iys.isSimulator() ? 'in-process simulator' : 'remote',
          httpStatus: res.status,
        };
      } finally {
        clearTimeout(t);
      }
    });
  }
}
