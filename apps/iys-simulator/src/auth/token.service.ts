import { createHmac, randomBytes, randomUUID } from 'crypto';
import { Inject, Injectable } from '@nestjs/common';
import { OAuthError } from '../core/iys-errors';
import type { ApiUser } from '../state/state-model';
import { SimulatorState } from '../state/simulator-state';
import type { TokenGrant } from './token-request-rules';

export interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_expires_in: number;
  token_type: 'bearer';
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * Issues Keycloak-shaped JWTs (iys-api.md §3) so a client that decodes its token finds the same claims as with
 * İYS. The simulator never verifies a signature: a token is valid exactly while it is in the instance's token
 * map, which is what makes expiry, rotation and reset exact.
 */
@Injectable()
export class TokenService {
  private readonly signingKey = randomBytes(32);

  constructor(@Inject(SimulatorState) private readonly state: SimulatorState) {}

  issue(grant: TokenGrant): TokenAnswer {
    const user =
      grant.grant === 'password'
        ? this.checkPassword(grant.username, grant.password)
        : this.redeemRefreshToken(grant.refreshToken);
    if (user.role !== 'API_USER') throw new OAuthError('invalid_request', `Beklenmeyen kullanıcı rolü: ${user.role}.`);
    return this.issueFor(user);
  }

  private checkPassword(username: string, password: string): ApiUser {
    const user = this.state.users.get(username);
    if (!user || user.password !== password)
      throw new OAuthError('invalid_request', 'Kullanıcı kimlik bilgileri geçersiz.');
    return user;
  }

  /** Refresh tokens rotate: each is good for one refresh, and the answer carries its successor. */
  private redeemRefreshToken(token: string): ApiUser {
    const session = this.state.refreshTokens.get(token);
    const user = session ? this.state.users.get(session.username) : undefined;
    if (!session || !user || session.expiresMs <= this.state.nowMs()) {
      this.state.refreshTokens.delete(token);
      throw new OAuthError('invalid_grant', 'Geçersiz yenileme jetonu (refresh_token).');
    }
    this.state.refreshTokens.delete(token);
    return user;
  }

  private issueFor(user: ApiUser): TokenAnswer {
    const now = this.state.nowMs();
    const { accessTokenTtlSeconds, refreshTokenTtlSeconds } = this.state.knobs;
    this.pruneExpired(now);
    const access = this.sign({ ...this.claims(user), typ: 'Bearer' }, now, accessTokenTtlSeconds);
    const refresh = this.sign({ typ: 'Refresh', preferred_username: user.username }, now, refreshTokenTtlSeconds);
    this.state.accessTokens.set(access, { username: user.username, expiresMs: now + accessTokenTtlSeconds * 1000 });
    this.state.refreshTokens.set(refresh, { username: user.username, expiresMs: now + refreshTokenTtlSeconds * 1000 });
    return {
      access_token: access,
      refresh_token: refresh,
      expires_in: Math.round(accessTokenTtlSeconds),
      refresh_expires_in: Math.round(refreshTokenTtlSeconds),
      token_type: 'bearer',
    };
  }

  private claims(user: ApiUser): Record<string, unknown> {
    const base = {
      realm_access: { roles: ['API_USER', 'offline_access', 'uma_authorization'] },
      preferred_username: user.username,
    };
    if (user.owner.kind === 'HS') {
      const sp = this.state.serviceProviders.get(user.owner.iysCode);
      return {
        ...base,
        brands: sp ? [...sp.brands.values()].map((b) => ({ brandCode: String(b.brandCode), name: b.name })) : [],
        serviceProvider: { title: sp?.title ?? '', iysCode: String(user.owner.iysCode) },
        userType: 'serviceProvider',
      };
    }
    const integrator = this.state.integrators.get(user.owner.integratorCode);
    const brands = integrator
      ? [...integrator.authorisations.values()].map((a) => ({
          brandCode: String(a.brandCode),
          name: this.state.brands.get(a.brandCode)?.name ?? '',
        }))
      : [];
    return {
      ...base,
      brands,
      integrator: { title: integrator?.title ?? '', integratorCode: String(user.owner.integratorCode) },
      userType: 'integrator',
    };
  }

  private sign(claims: Record<string, unknown>, nowMs: number, ttlSeconds: number): string {
    const iat = Math.floor(nowMs / 1000);
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({ jti: randomUUID(), iat, exp: iat + Math.round(ttlSeconds), iss: 'iys-simulator', ...claims }),
    );
    const signature = createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }

  /** Keeps the token maps bounded for clients that log in far too often. */
  private pruneExpired(now: number): void {
    if (this.state.accessTokens.size + this.state.refreshTokens.size < 10_000) return;
    for (const map of [this.state.accessTokens, this.state.refreshTokens]) {
      for (const [token, session] of map) if (session.expiresMs <= now) map.delete(token);
    }
  }
}
