import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { pullView, simulatorConsentView } from '../consents/consent-views';
import { parseTurkeyDateTime } from '../core/turkey-time';
import { PushService } from '../push/push.service';
import { SimulatorState } from '../state/simulator-state';
import type { CitizenMovementDto } from './test-surface.dto';

@Injectable()
export class TestSurfaceService {
  constructor(
    @Inject(SimulatorState) private readonly state: SimulatorState,
    @Inject(PushService) private readonly push: PushService,
  ) {}

  /**
   * A movement a citizen (or a carrier) made through İYS itself. It bypasses every HS rule (a citizen may refuse
   * a key İYS never saw, may repeat a status, may act on any date), becomes the key's current state, shows in
   * pull with source=IYS after the lag, in the daily file, and is pushed at once to the brand's connections.
   */
  injectMovement(dto: CitizenMovementDto): Record<string, unknown> {
    const brand = this.state.brands.get(dto.brandCode);
    if (!brand || brand.iysCode !== dto.iysCode)
      throw new NotFoundException(`no brand ${dto.brandCode} under iysCode ${dto.iysCode}`);
    const now = this.state.nowMs();
    const recipientType = dto.recipientType ?? 'BIREYSEL';
    const recipient = dto.type === 'EPOSTA' ? dto.recipient.toLowerCase() : dto.recipient;
    const creationMs = dto.creationDate === undefined ? now : this.parseDate('creationDate', dto.creationDate);
    if (creationMs > now) throw new BadRequestException('creationDate must not be in the future');
    let consentDate: string | null;
    let consentMs: number | null;
    if (dto.consentDate !== undefined) {
      consentMs = this.parseDate('consentDate', dto.consentDate);
      consentDate = dto.consentDate;
    } else if (dto.source === 'IYS_AHS_HAT_KAPATMA') {
      // A carrier closing a line keeps the record's latest consentDate (empty for a TACIR record without one).
      const current = this.state.findConsent(brand.brandCode, recipientType, dto.type, recipient)?.current;
      consentDate = current ? current.consentDate : null;
      consentMs = current ? current.consentMs : null;
    } else {
      consentMs = creationMs - (creationMs % 1000);
      consentDate = this.state.clock.format(consentMs);
    }
    const movement = this.state.recordMovement(
      brand,
      {
        recipient,
        recipientType,
        type: dto.type,
        status: dto.status,
        source: dto.source,
        consentDate,
        consentMs,
        citizenName: dto.citizenName,
      },
      creationMs,
    );
    this.push.deliver(movement);
    return {
      iysCode: movement.iysCode,
      brandCode: movement.brandCode,
      ...pullView(movement),
      ...(dto.citizenName ? { citizenName: dto.citizenName } : {}),
    };
  }

  consents(rawIysCode: unknown, rawBrandCode: unknown): { list: Record<string, unknown>[] } {
    const iysCode = this.optionalCode('iysCode', rawIysCode);
    const brandCode = this.optionalCode('brandCode', rawBrandCode);
    const list: Record<string, unknown>[] = [];
    for (const record of this.state.consents.values()) {
      if (iysCode !== null && record.iysCode !== iysCode) continue;
      if (brandCode !== null && record.brandCode !== brandCode) continue;
      const brand = this.state.brands.get(record.brandCode);
      if (brand) list.push(simulatorConsentView(record, brand));
    }
    return { list };
  }

  private optionalCode(name: string, raw: unknown): number | null {
    if (raw === undefined || raw === '') return null;
    if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw new BadRequestException(`${name} must be an integer`);
    return Number(raw);
  }

  private parseDate(name: string, value: string): number {
    const parsed = parseTurkeyDateTime(value);
    if (!parsed.ok) throw new BadRequestException(`${name} must be "YYYY-MM-DD HH:mm:ss" (Turkey time)`);
    return parsed.ms;
  }
}
