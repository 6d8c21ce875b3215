import { Injectable, Logger } from '@nestjs/common';
import { IysMovement, readIysMovement } from '../iys/iys-wire';
import { ConsentRegistry } from '../registry/consent-registry';
import { IysBrandDirectory } from './iys-brand-directory';

export interface PushReport {
  received: number;
  applied: number;
  duplicates: number;
  /** Movements for a brand Izinli does not sync with İYS (unknown, or in CUSTOMER mode). */
  ignored: number;
  unreadable: number;
}

/**
 * Applies what İYS pushes (P1 deliveries, `{ list: [...] }`) exactly like pulled movements: latest-wins and
 * de-duplicated by transactionId, so a push followed by the pull of the same movement stores it once. Push is a
 * shortcut only; the pull stays the source of truth, which is why a movement that cannot be read or placed is
 * skipped (and logged by id) rather than refused: refusing would make İYS retry a delivery that can never succeed.
 */
@Injectable()
export class IysPushReceiver {
  private readonly log = new Logger('IysPush');

  constructor(
    private readonly registry: ConsentRegistry,
    private readonly brands: IysBrandDirectory,
  ) {}

  async receive(list: readonly unknown[]): Promise<PushReport> {
    const report: PushReport = { received: list.length, applied: 0, duplicates: 0, ignored: 0, unreadable: 0 };
    const byBrand = new Map<string, IysMovement[]>();
    for (const raw of list) {
      const read = readIysMovement(raw);
      if (!read.ok || !read.movement.brandCode) {
        report.unreadable++;
        this.log.warn(
          { transactionId: read.ok ? read.movement.transactionId : read.unreadable.transactionId },
          'skipped a pushed movement that could not be read',
        );
        continue;
      }
      const group = byBrand.get(read.movement.brandCode) ?? [];
      group.push(read.movement);
      byBrand.set(read.movement.brandCode, group);
    }
    for (const [brandCode, movements] of byBrand) {
      const brand = await this.brands.byBrandCode(brandCode);
      if (!brand || brand.iysSync !== 'PLATFORM' || movements.some((m) => m.iysCode && m.iysCode !== brand.iysCode)) {
        report.ignored += movements.length;
        this.log.warn(
          { brandCode, movements: movements.length },
          'ignored pushed movements of a brand Izinli does not sync with İYS',
        );
        continue;
      }
      const applied = await this.registry.applyIysMovements(brand, movements, 'IYS_PUSH');
      report.applied += applied.inserted;
      report.duplicates += applied.duplicates + applied.matchedOwn;
    }
    return report;
  }
}
