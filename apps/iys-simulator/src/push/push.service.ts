import { Inject, Injectable, type LoggerService } from '@nestjs/common';
import { type BrandScope, AccessService } from '../auth/access.service';
import { IysError, type IysErrorItem, errorItem } from '../core/iys-errors';
import { pushView } from '../consents/consent-views';
import { SIMULATOR_LOGGER } from '../core/simulator-logger';
import { type Movement, PUSH_CREATED, PUSH_FAILED, type PushConnection } from '../state/state-model';
import { type PushDelivery, SimulatorState } from '../state/simulator-state';
import {
  MAX_ACTIVE_CONNECTIONS_PER_TYPE,
  type PushConnectionRequest,
  validateConnection,
  validateRegistration,
} from './push-registration-rules';
import { postJson } from './push-sender';

// Push (P1–P3, iys-api.md §5.8): İYS POSTs citizen-side (IYS_*) movements to the URLs an HS registered per brand
// and type, authenticating itself with HTTP Basic. Retries, batching and ordering are undocumented; the simulator
// sends one movement per POST, at once, and retries a failure `pushRetries` times with a doubling delay. Pull
// stays the source of truth, as it must for any client.

/** İYS's fixed test payload, posted when a connection is registered. */
const TEST_PAYLOAD = {
  list: [
    {
      iysCode: 121212,
      brandCode: 121212,
      consentDate: '2015-05-01 15:00:00',
      creationDate: '2015-05-01 15:00:00',
      source: 'IYS_MOBIL',
      recipient: 'pushtest@iys.org.tr',
      recipientType: 'BIREYSEL',
      status: 'ONAY',
      type: 'EPOSTA',
      transactionId: 'e52ee3051d3a2a0e6a33e1e5a0c1d1c8d2b8b9d2ffb6ac4d7a1d3e6f0c2b429d',
    },
  ],
};

const DELIVERY_LOG_LIMIT = 1000;

@Injectable()
export class PushService {
  constructor(
    @Inject(SimulatorState) private readonly state: SimulatorState,
    @Inject(AccessService) private readonly access: AccessService,
    @Inject(SIMULATOR_LOGGER) private readonly logger: LoggerService,
  ) {}

  async register(scope: BrandScope, body: unknown): Promise<{ message: string }> {
    const request = validateRegistration(body, this.state.knobs.pushAllowHttp);
    if (!request.ok) throw new IysError(422, request.errors);
    request.value.forEach((c, index) => this.access.requireType(scope, c.type, index));
    const errors: IysErrorItem[] = [];
    for (const [index, c] of request.value.entries()) {
      const others = scope.brand.pushConnections.filter(
        (x) => x.type === c.type && x.status === PUSH_CREATED && x.url !== c.url,
      );
      if (others.length >= MAX_ACTIVE_CONNECTIONS_PER_TYPE) {
        errors.push(
          errorItem('SIM422', {
            message: 'Bu marka ve izin tipi için en fazla iki aktif bağlantı tanımlanabilir.',
            index,
          }),
        );
        continue;
      }
      const problem = this.state.knobs.pushVerifyOnRegistration ? await this.verify(c) : null;
      if (problem) errors.push({ ...problem, index });
      const connection: PushConnection = {
        ...c,
        status: problem ? PUSH_FAILED : PUSH_CREATED,
        registerTime: this.state.clock.format(this.state.nowMs()),
      };
      scope.brand.pushConnections = [
        ...scope.brand.pushConnections.filter((x) => !(x.url === c.url && x.type === c.type)),
        connection,
      ];
    }
    if (errors.length) throw new IysError(422, errors);
    return { message: 'Bağlantı oluşturuldu' };
  }

  list(scope: BrandScope): Record<string, unknown>[] {
    return scope.brand.pushConnections
      .filter((c) => scope.types.has(c.type))
      .map((c) => ({ url: c.url, type: c.type, status: c.status, registerTime: c.registerTime }));
  }

  unregister(scope: BrandScope, body: unknown): { message: string } {
    // Unregistering never needs https: a connection that exists already passed that check.
    const request = validateConnection(body, true);
    if (!request.ok) throw new IysError(422, request.errors);
    const c = request.value;
    this.access.requireType(scope, c.type);
    const found = scope.brand.pushConnections.find(
      (x) => x.url === c.url && x.type === c.type && x.username === c.username && x.password === c.password,
    );
    if (!found) throw IysError.of('SIM404', { message: 'Bağlantı bulunamadı.' });
    scope.brand.pushConnections = scope.brand.pushConnections.filter((x) => x !== found);
    return { message: 'Bağlantı Kaldırıldı' };
  }

  /**
   * The registration check İYS describes: the test payload with the credentials must be accepted in time (H191
   * on timeout, H530 otherwise), and the same payload without credentials must be refused with 401/403 (H530),
   * because İYS refuses endpoints that do not check Basic auth.
   */
  private async verify(c: PushConnectionRequest): Promise<IysErrorItem | null> {
    const timeoutMs = this.state.knobs.pushTimeoutSeconds * 1000;
    const withAuth = await postJson(c.url, TEST_PAYLOAD, { username: c.username, password: c.password }, timeoutMs);
    if (withAuth.kind === 'timeout')
      return errorItem('H191', { message: 'Bağlantı zaman aşımına uğradı.', location: ['url'], value: c.url });
    if (withAuth.kind === 'unreachable' || withAuth.status < 200 || withAuth.status > 299)
      return errorItem('H530', { location: ['url'], value: c.url });
    const withoutAuth = await postJson(c.url, TEST_PAYLOAD, null, timeoutMs);
    if (withoutAuth.kind !== 'answered' || (withoutAuth.status !== 401 && withoutAuth.status !== 403)) {
      return errorItem('H530', { location: ['url'], value: c.url });
    }
    return null;
  }

  /** Sends an IYS_* movement to every active connection of its brand and type. HS movements are never pushed. */
  deliver(movement: Movement): void {
    if (movement.group !== 'IYS') return;
    const brand = this.state.brands.get(movement.brandCode);
    if (!brand) return;
    for (const connection of brand.pushConnections) {
      if (connection.type === movement.type && connection.status === PUSH_CREATED)
        this.attempt(connection, movement, 1);
    }
  }

  private attempt(connection: PushConnection, movement: Movement, attempt: number): void {
    const timeoutMs = this.state.knobs.pushTimeoutSeconds * 1000;
    const generation = this.state.generation;
    void postJson(connection.url, { list: [pushView(movement)] }, connection, timeoutMs).then((outcome) => {
      if (generation !== this.state.generation) return;
      const ok = outcome.kind === 'answered' && outcome.status >= 200 && outcome.status <= 299;
      this.record({
        time: new Date().toISOString(),
        url: connection.url,
        type: connection.type,
        attempt,
        status: outcome.kind === 'answered' ? outcome.status : 0,
        ...(outcome.kind === 'timeout'
          ? { error: 'timeout' }
          : outcome.kind === 'unreachable'
            ? { error: outcome.message }
            : {}),
        transactionIds: [movement.transactionId],
      });
      if (!ok && attempt <= this.state.knobs.pushRetries) {
        this.logger.warn(
          `push to a ${connection.type} connection failed (attempt ${attempt}); retrying`,
          PushService.name,
        );
        this.state.schedule(() => this.attempt(connection, movement, attempt + 1), 1000 * 2 ** (attempt - 1));
      }
    });
  }

  private record(delivery: PushDelivery): void {
    this.state.pushDeliveries.push(delivery);
    if (this.state.pushDeliveries.length > DELIVERY_LOG_LIMIT)
      this.state.pushDeliveries.splice(0, this.state.pushDeliveries.length - DELIVERY_LOG_LIMIT);
  }
}
