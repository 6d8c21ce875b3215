import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CONSENT_STATUSES, CONSENT_TYPES, RECIPIENT_TYPES, SUBSCRIPTION_STATUSES } from '../core/iys-types';

// Bodies of the test surface (/_sim/, design.md). Validated with class-validator, whitelisted and strict: a test
// that misspells a field learns it at once instead of getting a simulator that silently ignored it.

const MAX_CODE = 999_999_999_999;

export class RetailerDto {
  @IsInt() @Min(1) @Max(MAX_CODE) retailerCode!: number;
  @IsString() @IsNotEmpty() title!: string;
}

export class BrandDto {
  @IsInt() @Min(1) @Max(MAX_CODE) brandCode!: number;
  @IsString() @IsNotEmpty() name!: string;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => RetailerDto) retailers?: RetailerDto[];
}

export class UserDto {
  @IsString() @IsNotEmpty() username!: string;
  @IsString() @IsNotEmpty() password!: string;
  /** `admin` models an İYS web admin, who is refused an API token. */
  @IsOptional() @IsIn(['API_USER', 'admin']) role?: 'API_USER' | 'admin';
}

export class SubscriptionDto {
  @IsOptional() @IsIn(SUBSCRIPTION_STATUSES) status?: (typeof SUBSCRIPTION_STATUSES)[number];
  @IsOptional() @IsInt() @Min(0) consentLimit?: number;
  @IsOptional() @IsBoolean() consentLimitExceed?: boolean;
  /** False: a package without API access (H586). */
  @IsOptional() @IsBoolean() hasApi?: boolean;
  @IsOptional() @IsString() subscriptionPackageName?: string;
  @IsOptional() @IsString() startDate?: string;
  @IsOptional() @IsString() expirationDate?: string;
}

export class CreateServiceProviderDto {
  @IsInt() @Min(1) @Max(MAX_CODE) iysCode!: number;
  @IsOptional() @IsString() @IsNotEmpty() title?: string;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => BrandDto) brands?: BrandDto[];
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => UserDto) users?: UserDto[];
  /** null: the HS has no subscription at all (H524). */
  @IsOptional() @ValidateNested() @Type(() => SubscriptionDto) subscription?: SubscriptionDto | null;
}

export class AuthorisationDto {
  @IsInt() @Min(1) @Max(MAX_CODE) iysCode!: number;
  @IsInt() @Min(1) @Max(MAX_CODE) brandCode!: number;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(CONSENT_TYPES, { each: true })
  types?: (typeof CONSENT_TYPES)[number][];
  @IsOptional() @IsBoolean() agreementControl?: boolean;
  @IsOptional() @IsBoolean() viaControl?: boolean;
}

export class CreateIntegratorDto {
  @IsInt() @Min(1) @Max(MAX_CODE) integratorCode!: number;
  @IsOptional() @IsString() @IsNotEmpty() title?: string;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => UserDto) users?: UserDto[];
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AuthorisationDto)
  authorisations?: AuthorisationDto[];
  @IsOptional() @ValidateNested() @Type(() => SubscriptionDto) subscription?: SubscriptionDto | null;
}

export class CitizenMovementDto {
  @IsInt() @Min(1) @Max(MAX_CODE) iysCode!: number;
  @IsInt() @Min(1) @Max(MAX_CODE) brandCode!: number;
  @IsString() @IsNotEmpty() recipient!: string;
  @IsIn(CONSENT_TYPES) type!: (typeof CONSENT_TYPES)[number];
  @IsIn(CONSENT_STATUSES) status!: (typeof CONSENT_STATUSES)[number];
  /** Any İYS-side source (IYS_MOBIL, IYS_WEB_YENI, IYS_KISAMESAJ, IYS_AHS_HAT_KAPATMA, …). */
  @Matches(/^IYS_[A-Z0-9_]+$/, { message: 'source must be an İYS-side source (IYS_*)' }) source!: string;
  /** "YYYY-MM-DD HH:mm:ss"; defaults to now (for IYS_AHS_HAT_KAPATMA: the record's latest consentDate). */
  @IsOptional() @IsString() consentDate?: string;
  @IsOptional() @IsIn(RECIPIENT_TYPES) recipientType?: (typeof RECIPIENT_TYPES)[number];
  /** Shown in pull for IYS_WEB_YENI only, as İYS does. */
  @IsOptional() @IsString() @IsNotEmpty() citizenName?: string;
  /** "YYYY-MM-DD HH:mm:ss", not after now: back-dates the movement, e.g. past the pull lag. Defaults to now. */
  @IsOptional() @IsString() creationDate?: string;
}
