import { Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/http/api-error';
import { Page, toPage, decodeCursor } from '../common/http/paging';
import { generateApiKey, hashApiKey, keyPrefix } from '../common/auth/api-key-hasher';
import type { Principal } from '../common/auth/principal';
import { BrandDto, CreateBrandDto, CreateServiceProviderDto, ServiceProviderCreatedDto } from './tenancy.dto';
import { BrandRow, TenancyRepository } from './tenancy.repository';
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

@Injectable()
export class TenancyService {
  private readonly log = new Logger('Tenancy');

  constructor(
    private readonly repo: TenancyRepository,
    private readonly directory: IysDirectory,
  ) {}

  async createServiceProvider(dto: CreateServiceProviderDto): Promise<ServiceProviderCreatedDto> {
    const apiKey = generateApiKey('sp');
    const sp = await this.repo.transaction(async (m) => {
      const created = await this.repo.insertServiceProvider(m, dto.name, dto.iysCode);
      if (!created)
        throw ApiError.conflict('IYS_CODE_TAKEN', `A service provider with iysCode ${dto.iysCode} already exists.`);
      await this.repo.insertApiKey(m, created.id, hashApiKey(apiKey), keyPrefix(apiKey));
      return created;
    });
    this.log.log({ serviceProviderId: sp.id }, 'service provider created');
    await this.directory.serviceProviderCreated(sp);
    return { id: sp.id, name: sp.name, iysCode: sp.iysCode, apiKey };
  }

  async createApiKey(serviceProviderId: string): Promise<{ apiKey: string }> {
    await this.requireServiceProvider(serviceProviderId);
    const apiKey = generateApiKey('sp');
    await this.repo.transaction((m) =>
      this.repo.insertApiKey(m, serviceProviderId, hashApiKey(apiKey), keyPrefix(apiKey)),
    );
    this.log.log({ serviceProviderId }, 'api key created');
    return { apiKey };
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
