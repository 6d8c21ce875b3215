import { BullModule, getQueueToken } from '@nestjs/bull';
import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bull';
import { BullJobQueue } from './bull-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobQueue } from './job-queue';

export interface QueueModuleOptions {
  /** redis://… selects Bull; unset selects the in-process queue. */
  redisUrl?: string;
  /** Every queue name the application uses (its typed catalogue). */
  queueNames: readonly string[];
  /** Key prefix in Redis; tests give each suite its own. */
  prefix?: string;
}

@Injectable()
class QueueCloser implements OnApplicationShutdown {
  constructor(private readonly queue: JobQueue) {}
  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

/** Binds the JobQueue port to Bull (through @nestjs/bull) or to the in-process adapter. */
@Global()
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions): DynamicModule {
    if (!options.redisUrl) {
      return {
        module: QueueModule,
        providers: [{ provide: JobQueue, useFactory: () => new InProcessJobQueue() }, QueueCloser],
        exports: [JobQueue],
      };
    }
    return {
      module: QueueModule,
      imports: [
        BullModule.forRoot({ url: options.redisUrl, prefix: options.prefix ?? 'izinli' }),
        BullModule.registerQueue(...options.queueNames.map((name) => ({ name }))),
      ],
      providers: [
        {
          provide: JobQueue,
          // Injecting every queue token (rather than looking them up later) makes Nest build the queues first.
          inject: options.queueNames.map((n) => getQueueToken(n)),
          useFactory: (...queues: Queue[]) =>
            new BullJobQueue(new Map(options.queueNames.map((n, i) => [n, queues[i]]))),
        },
        QueueCloser,
      ],
      exports: [JobQueue],
    };
  }
}
