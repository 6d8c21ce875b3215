import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from './principal';

export const AUTH_KIND = 'izinli:auth';
export type AuthKind = 'public' | 'operator' | 'service-provider' | 'any';

/** No key needed (health, metrics, unsubscribe pages, İYS push which has its own Basic auth). */
export const Public = () => SetMetadata(AUTH_KIND, 'public');
/** The operator's ADMIN_API_KEY only. */
export const OperatorOnly = () => SetMetadata(AUTH_KIND, 'operator');
/** A service provider's key: the handler sees only that service provider's data. */
export const ServiceProviderOnly = () => SetMetadata(AUTH_KIND, 'service-provider');
/** Either; the handler scopes by the principal. */
export const OperatorOrServiceProvider = () => SetMetadata(AUTH_KIND, 'any');

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<Request>().principal!;
});

/** The service provider id of a service-provider principal (use on ServiceProviderOnly routes). */
export const CurrentServiceProviderId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const p = ctx.switchToHttp().getRequest<Request>().principal;
  if (!p || p.kind !== 'service-provider')
    throw new Error('CurrentServiceProviderId used on a route not limited to service providers');
  return p.serviceProviderId;
});
