import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/http/api-error';
import { Page, toPage, decodeCursor } from '../common/http/paging';
import { generateApiKey, hashApiKey, keyPrefix } from '../common/auth/api-key-hasher';
import { ApiKeyRevocations } from '../common/auth/api-key-revocations';
import { ApiKeyUsage } from '../common/auth/api-key-usage';
import type { Principal } from '../common/auth/principal';
import {
  ApiKeyCreatedDto,
  ApiKeyDto,
  BrandDto,
  CreateBrandDto,
  CreateServiceProviderDto,
  ServiceProviderCreatedDto,
} from './tenancy.dto';
import { ApiKeyRow, BrandRow, TenancyRepository } from './tenancy.repository';
import { IysDirectory } from './iys-directory';

export function toBrandDto(b: BrandRow): BrandDto {
  return {
    id: b.id,
    serviceProviderId: b.serviceProviderId,
    name: b.name,
    brandCode: b.brandCode,
    fromEmail: b.fromEmail,
    fromName: b.fromName,
    replyTo: b.replyTo,
    iysSync: b.iysSync,
    webhookUrl: b.webhookUrl,
    createdAt: new Date(b.createdAt).toISOString(),
  };
}

/** Enough for rotation with overlap across several deployments; a bound on what a leaked key can mint. */
export const MAX_LIVE_API_KEYS = 20;

function toApiKeyDto(k: ApiKeyRow, currentKeyId?: string): ApiKeyDto {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdAt: new Date(k.createdAt).toISOString(),
    lastUsedAt: k.lastUsedAt ? new Date(k.lastUsedAt).toISOString() : null,
    revokedAt: k.revokedAt ? new Date(k.revokedAt).toISOString() : null,
    current: k.id === currentKeyId,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class TenancyService {
  private readonly log = new Logger('Tenancy');

  constructor(
    private readonly repo: TenancyRepository,
    private readonly directory: IysDirectory,
    private readonly revocations: ApiKeyRevocations,
    private readonly usage: ApiKeyUsage,
  ) {}

  async createServiceProvider(dto: CreateServiceProviderDto): Promise<ServiceProviderCreatedDto> {
    const apiKey = generateApiKey('sp');
    const { sp, key } = await this.repo.transaction(async (m) => {
      const created = await this.repo.insertServiceProvider(m, dto.name, dto.iysCode);
      if (!created)
        throw ApiError.conflict('IYS_CODE_TAKEN', `A service provider with iysCode ${dto.iysCode} already exists.`);
      return { sp: created, key: await this.repo.insertApiKey(m, created.id, hashApiKey(apiKey), keyPrefix(apiKey)) };
    });
    this.log.log({ serviceProviderId: sp.id }, 'service provider created');
    await this.directory.serviceProviderCreated(sp);
    return { id: sp.id, name: sp.name, iysCode: sp.iysCode, apiKey, apiKeyId: key.id };
  }

  /** Another live key for the service provider (rotation): shown once, stored as its hash. */
  async createApiKey(serviceProviderId: string, name?: string, currentKeyId?: string): Promise<ApiKeyCreatedDto> {
    await this.requireServiceProvider(serviceProviderId);
    const apiKey = generateApiKey('sp');
    const key = await this.repo.insertServiceProviderKey(
      serviceProviderId,
      hashApiKey(apiKey),
      keyPrefix(apiKey),
      name ?? null,
      MAX_LIVE_API_KEYS,
    );
    if (!key) {
      throw ApiError.conflict(
        'TOO_MANY_API_KEYS',
        `A service provider has at most ${MAX_LIVE_API_KEYS} live keys; revoke one first.`,
      );
    }
    this.log.log({ serviceProviderId, keyId: key.id }, 'api key created');
    return { ...toApiKeyDto(key, currentKeyId), apiKey };
  }

  /** The service provider's keys, live and revoked, oldest first: never a key or its hash. */
  async listApiKeys(
    serviceProviderId: string,
    after: string | undefined,
    limit: number,
    currentKeyId?: string,
  ): Promise<Page<ApiKeyDto>> {
    const cursor = decodeCursor(
      after,
      (v): v is [string, string] =>
        Array.isArray(v) &&
        v.length === 2 &&
        typeof v[0] === 'string' &&
        /^\d{1,18}$/.test(v[0]) &&
        typeof v[1] === 'string' &&
        UUID.test(v[1]),
    );
    await this.requireServiceProvider(serviceProviderId);
    // This process's recent uses first, so the list is current at least for the keys used here.
    await this.usage.flush().catch(() => undefined);
    const rows = await this.repo.listApiKeys(serviceProviderId, cursor, limit + 1);
    return toPage(
      rows,
      limit,
      (k) => toApiKeyDto(k, currentKeyId),
      (k) => [k.createdAtMicros, k.id],
    );
  }

  /**
   * Revokes a key; answers once no process will accept it any more (see ApiKeyRevocations). Idempotent. A key of
   * another service provider, or none, is 404. `keepOne` (a service provider managing its own keys): its last live
   * key cannot be revoked, so it cannot lock itself out; the operator can.
   */
  async revokeApiKey(serviceProviderId: string, keyId: string, keepOne: boolean): Promise<void> {
    if (!UUID.test(keyId)) throw ApiError.notFound('API key');
    const outcome = await this.revocations.applied(
      keyId,
      () => this.repo.revokeApiKey(serviceProviderId, keyId, keepOne),
      (o) => o === 'REVOKED',
    );
    switch (outcome) {
      case 'REVOKED':
        this.log.log({ serviceProviderId, keyId }, 'api key revoked');
        return;
      case 'ALREADY_REVOKED':
        return;
      case 'NOT_FOUND':
        throw ApiError.notFound('API key');
      case 'LAST_KEY':
        throw ApiError.conflict(
          'LAST_API_KEY',
          'This is the last live key of this service provider: create another one before revoking it.',
        );
    }
  }

  async createBrand(serviceProviderId: string, dto: CreateBrandDto): Promise<BrandDto> {
    const sp = await this.requireServiceProvider(serviceProviderId);
    const brand = await this.repo.transaction((m) =>
      this.repo.insertBrand(m, {
        serviceProviderId,
        name: dto.name,
        brandCode: dto.brandCode,
        fromEmail: dto.fromEmail.toLowerCase(),
        fromName: dto.fromName,
        replyTo: dto.replyTo?.toLowerCase(),
        iysSync: dto.iysSync ?? 'PLATFORM',
      }),
    );
    if (!brand) throw ApiError.conflict('BRAND_CODE_TAKEN', `A brand with brandCode ${dto.brandCode} already exists.`);
    this.log.log({ serviceProviderId, brandId: brand.id }, 'brand created');
    await this.directory.brandCreated(sp, brand);
    return toBrandDto(brand);
  }

  async listBrands(principal: Principal, after: string | undefined, limit = 100): Promise<Page<BrandDto>> {
    const cursor = decodeCursor(after, (v): v is string => typeof v === 'string');
    const spId = principal.kind === 'service-provider' ? principal.serviceProviderId : null;
    const rows = await this.repo.listBrands(spId, cursor, limit + 1);
    return toPage(rows, limit, toBrandDto, (r) => r.brandCode);
  }

  /**
   * The shared tenancy check for every route that names a brand: a brand of another service provider is
   * answered exactly like one that does not exist.
   */
  async requireOwnedBrand(serviceProviderId: string, brandCode: string): Promise<BrandRow> {
    const brand = /^\d{1,12}$/.test(brandCode)
      ? await this.repo.findOwnedBrand(serviceProviderId, brandCode)
      : undefined;
    if (!brand) throw ApiError.notFound(`Brand ${brandCode}`);
    return brand;
  }

  private async requireServiceProvider(id: string) {
    const sp = /^[0-9a-f-]{36}$/i.test(id) ? await this.repo.findServiceProvider(id) : undefined;
    if (!sp) throw ApiError.notFound('Service provider');
    return sp;
  }
}
