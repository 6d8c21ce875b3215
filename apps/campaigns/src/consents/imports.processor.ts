import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { ConsentImporter } from '@izinli/consent';
import { JobContext, JobOptions, JobQueue } from '@izinli/queue';
import { ConsentImportJob, QueueName } from '../jobs/queue-names';
import { RuntimeRole } from '../jobs/runtime-role';
import { SweepService } from '../jobs/sweep.service';

export interface ConsentImportJobData {
  importId: string;
}

/**
 * A 1M-row import takes about a minute and resumes from its last batch, so retries are cheap; the backoff gives
 * a database restart time to finish (5 s doubling, about 10 minutes over all attempts).
 */
export const CONSENT_IMPORT_JOB_OPTIONS: JobOptions = { attempts: 8, backoffMs: 5_000 };

/** One job per import, whoever offers it (the upload, the sweep): the queue keeps a single live copy. */
export const importJobId = (importId: string) => `import:${importId}`;

/**
 * The consent-imports queue: the upload's job, and a sweep that offers every unfinished import again, so an
 * import whose job was lost (Redis flushed, worker killed mid-file) is resumed from its last committed batch.
 */
@Injectable()
export class ConsentImportsProcessor implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger('ConsentImports');

  constructor(
    private readonly queue: JobQueue,
    private readonly importer: ConsentImporter,
    private readonly sweeps: SweepService,
    private readonly role: RuntimeRole,
  ) {}

  onModuleInit(): void {
    // Registered before any bootstrap hook, so the sweep that runs at worker start already includes it.
    this.sweeps.register({
      name: 'consent-imports',
      sweep: async () => {
        const ids = await this.importer.unfinished();
        await this.queue.addBulk<ConsentImportJobData>(
          QueueName.CONSENT_IMPORTS,
          ids.map((importId) => ({
            name: ConsentImportJob.PROCESS,
            data: { importId },
            options: { ...CONSENT_IMPORT_JOB_OPTIONS, jobId: importJobId(importId) },
          })),
        );
        return ids.length;
      },
    });
  }

  onApplicationBootstrap(): void {
    if (!this.role.runsWorkers) return;
    // One import at a time per worker: each one already keeps the database busy with large batches.
    this.queue.process<ConsentImportJobData>(
      QueueName.CONSENT_IMPORTS,
      ConsentImportJob.PROCESS,
      (job) => this.handle(job),
      1,
    );
  }

  async enqueue(importId: string): Promise<void> {
    await this.queue.add<ConsentImportJobData>(
      QueueName.CONSENT_IMPORTS,
      ConsentImportJob.PROCESS,
      { importId },
      { ...CONSENT_IMPORT_JOB_OPTIONS, jobId: importJobId(importId) },
    );
  }

  private async handle(job: JobContext<ConsentImportJobData>): Promise<void> {
    const importId = job.data?.importId;
    if (typeof importId !== 'string') {
      this.log.warn({ jobId: job.id }, 'consent import job without an import id; dropped');
      return;
    }
    await this.importer.process(importId);
  }
}
