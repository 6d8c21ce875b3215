import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import {
  CurrentPrincipal,
  CurrentServiceProviderId,
  OperatorOnly,
  OperatorOrServiceProvider,
  ServiceProviderOnly,
} from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { PageQueryDto } from '../common/http/paging';
import { ApiError } from '../common/http/api-error';
import {
  ApiKeyCreatedDto,
  ApiKeyListDto,
  BrandDto,
  BrandListDto,
  CreateApiKeyDto,
  CreateBrandDto,
  CreateServiceProviderDto,
  ServiceProviderCreatedDto,
} from './tenancy.dto';
import { TenancyService } from './tenancy.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => ApiError.notFound('Service provider') });

@ApiTags('tenancy')
@ApiBearerAuth()
@Controller('v1')
export class TenancyController {
  constructor(private readonly tenancy: TenancyService) {}

  @Post('service-providers')
  @OperatorOnly()
  @ApiCreatedResponse({ type: ServiceProviderCreatedDto })
  createServiceProvider(@Body() dto: CreateServiceProviderDto): Promise<ServiceProviderCreatedDto> {
    return this.tenancy.createServiceProvider(dto);
  }

  /** Another live key for a service provider (rotation); its other keys keep working until revoked. */
  @Post('service-providers/:id/api-keys')
  @OperatorOnly()
  @HttpCode(201)
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  @ApiConflictResponse({ description: 'TOO_MANY_API_KEYS: the service provider already has 20 live keys.' })
  createApiKey(@Param('id', uuid) id: string, @Body() dto: CreateApiKeyDto): Promise<ApiKeyCreatedDto> {
    return this.tenancy.createApiKey(id, dto.name);
  }

  /** A service provider's keys, live and revoked, oldest first: ids and prefixes, never a key or its hash. */
  @Get('service-providers/:id/api-keys')
  @OperatorOnly()
  @ApiOkResponse({ type: ApiKeyListDto })
  listApiKeys(@Param('id', uuid) id: string, @Query() page: PageQueryDto): Promise<ApiKeyListDto> {
    return this.tenancy.listApiKeys(id, page.after, page.limit ?? 100);
  }

  /** Revokes a key at once on every process; revoking a revoked key again is 204 too. */
  @Delete('service-providers/:id/api-keys/:keyId')
  @OperatorOnly()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked (or already revoked).' })
  revokeApiKey(@Param('id', uuid) id: string, @Param('keyId') keyId: string): Promise<void> {
    return this.tenancy.revokeApiKey(id, keyId, false);
  }

  /** The calling service provider's own keys: rotate a key with the key itself. */
  @Post('api-keys')
  @ServiceProviderOnly()
  @HttpCode(201)
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  @ApiConflictResponse({ description: 'TOO_MANY_API_KEYS: already 20 live keys.' })
  createOwnApiKey(
    @CurrentServiceProviderId() spId: string,
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateApiKeyDto,
  ): Promise<ApiKeyCreatedDto> {
    return this.tenancy.createApiKey(spId, dto.name, principal.keyId);
  }

  @Get('api-keys')
  @ServiceProviderOnly()
  @ApiOkResponse({ type: ApiKeyListDto })
  listOwnApiKeys(
    @CurrentServiceProviderId() spId: string,
    @CurrentPrincipal() principal: Principal,
    @Query() page: PageQueryDto,
  ): Promise<ApiKeyListDto> {
    return this.tenancy.listApiKeys(spId, page.after, page.limit ?? 100, principal.keyId);
  }

  /** Revokes one of the caller's keys, the one in use included; never its last live key (409 LAST_API_KEY). */
  @Delete('api-keys/:keyId')
  @ServiceProviderOnly()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked (or already revoked).' })
  @ApiConflictResponse({ description: 'LAST_API_KEY: create another key before revoking the last live one.' })
  revokeOwnApiKey(@CurrentServiceProviderId() spId: string, @Param('keyId') keyId: string): Promise<void> {
    return this.tenancy.revokeApiKey(spId, keyId, true);
  }

  @Post('service-providers/:id/brands')
  @OperatorOnly()
  @ApiCreatedResponse({ type: BrandDto })
  createBrand(@Param('id', uuid) id: string, @Body() dto: CreateBrandDto): Promise<BrandDto> {
    return this.tenancy.createBrand(id, dto);
  }

  /** A service provider sees its own brands; the operator sees every brand. */
  @Get('brands')
  @OperatorOrServiceProvider()
  @ApiOkResponse({ type: BrandListDto })
  listBrands(@CurrentPrincipal() principal: Principal, @Query() page: PageQueryDto): Promise<BrandListDto> {
    return this.tenancy.listBrands(principal, page.after, page.limit ?? 100);
  }
}
