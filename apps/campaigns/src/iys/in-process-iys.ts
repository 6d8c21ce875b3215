import { Injectable, Logger } from '@nestjs/common';
import { IysDirectory } from '../tenancy/iys-directory';
import type { BrandRow, ServiceProviderRow } from '../tenancy/tenancy.repository';
import { IysEndpoint } from './iys-endpoint';

/** The simulator's integrator (design.md: integratorCode 900001, user integrator / integrator-secret). */
export const SIMULATOR_INTEGRATOR_CODE = '900001';
const ALL_TYPES = ['EPOSTA', 'MESAJ', 'ARAMA'];

/**
 * With no IYS_URL, every service provider and brand created in Izinli is registered with the in-process
 * simulator through its /_sim/ surface, and the integrator is authorised for it, so consents sent from Izinli
 * are accepted there just as they would be by a real İYS after the HS's own onboarding.
 */
@Injectable()
export class SimulatorIysDirectory extends IysDirectory {
  private readonly log = new Logger('SimulatorDirectory');

  constructor(private readonly endpoint: IysEndpoint) {
    super();
  }

  async serviceProviderCreated(sp: ServiceProviderRow): Promise<void> {
    await this.post('/_sim/service-providers', {
      iysCode: Number(sp.iysCode),
      title: sp.name,
      brands: [{ brandCode: Number(sp.iysCode), name: sp.name }],
      users: [],
    });
    await this.authorise(sp.iysCode, sp.iysCode);
  }

  async brandCreated(sp: ServiceProviderRow, brand: BrandRow): Promise<void> {
    await this.post('/_sim/service-providers', {
      iysCode: Number(sp.iysCode),
      title: sp.name,
      brands: [{ brandCode: Number(brand.brandCode), name: brand.name }],
      users: [],
    });
    await this.authorise(sp.iysCode, brand.brandCode);
  }

  private authorise(iysCode: string, brandCode: string): Promise<void> {
    return this.post('/_sim/integrators', {
      integratorCode: Number(SIMULATOR_INTEGRATOR_CODE),
      users: [],
      authorisations: [{ iysCode: Number(iysCode), brandCode: Number(brandCode), types: ALL_TYPES }],
    });
  }

  private async post(path: string, body: unknown): Promise<void> {
    const base = this.endpoint.baseUrl();
    if (!base) return;
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok)
      this.log.warn({ path, status: res.status, body: text.slice(0, 300) }, 'the simulator refused a registration');
  }
}
