import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { JobContext, JobQueue } from '@izinli/queue';
import { CampaignJob, QueueName } from '../jobs/queue-names';
import { RuntimeRole } from '../jobs/runtime-role';
import { SweepService } from '../jobs/sweep.service';
import { CampaignDispatcher } from '../delivery/campaign-dispatcher';
import { DeliverySettings } from '../delivery/delivery-settings';
import { CampaignLauncher } from './campaign-launcher';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Starts scheduled campaigns (their delayed job) and runs the campaign watchdog in every worker. The watchdog is
 * a timer in the process rather than a repeating queue job on purpose: it must keep running when Redis has lost
 * everything, repeat schedules included, since bringing lost jobs back is its task.
 */
@Injectable()
export class CampaignScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('CampaignScheduler');
  private timer?: NodeJS.Timeout;
  private watching = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly role: RuntimeRole,
    private readonly launcher: CampaignLauncher,
    private readonly dispatcher: CampaignDispatcher,
    private readonly settings: DeliverySettings,
    sweeps: SweepService,
  ) {
    sweeps.register({ name: 'campaigns', sweep: () => this.watch() });
  }

  onApplicationBootstrap(): void {
    if (!this.role.runsWorkers) return;
    this.queue.process<unknown>(QueueName.CAMPAIGNS, CampaignJob.START, (job) => this.start(job), 1);
    this.timer = setInterval(() => void this.watch(), this.settings.watchdogMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async start(job: JobContext<unknown>): Promise<void> {
    const id = (job.data as { campaignId?: unknown } | null)?.campaignId;
    if (typeof id !== 'string' || !UUID.test(id)) {
      this.log.error({ jobId: job.id }, 'dropped a start job with a malformed payload');
      return;
    }
    await this.launcher.startScheduled(id);
  }

  /** Due scheduled campaigns, then the delivery sweep; never two passes at once in one process. */
  async watch(): Promise<number> {
    if (this.watching) return 0;
    this.watching = true;
    try {
      const started = await this.launcher.startDue();
      return started + (await this.dispatcher.sweep());
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'campaign watchdog pass failed');
      return 0;
    } finally {
      this.watching = false;
    }
  }
}
