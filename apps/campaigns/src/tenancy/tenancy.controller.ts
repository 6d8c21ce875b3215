import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, OperatorOnly, OperatorOrServiceProvider } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { PageQueryDto } from '../common/http/paging';
import { ApiError } from '../common/http/api-error';
import {
  ApiKeyCreatedDto,
  BrandDto,
  BrandListDto,
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

  @Post('service-providers/:id/api-keys')
  @OperatorOnly()
  @HttpCode(201)
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  createApiKey(@Param('id', uuid) id: string): Promise<ApiKeyCreatedDto> {
    return this.tenancy.createApiKey(id);
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
