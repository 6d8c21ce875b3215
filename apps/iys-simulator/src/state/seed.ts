import type { IntegratorInput, ServiceProviderInput } from './simulator-state';

// The accounts every simulator holds at start and after a reset (design.md, "The İYS simulator"). The campaigns
// app relies on these exact codes and credentials when IYS_URL is unset: do not change them.
export const SEED: { serviceProviders: ServiceProviderInput[]; integrators: IntegratorInput[] } = {
  serviceProviders: [
    {
      iysCode: 100001,
      title: 'IZINLI DEMO ANONİM ŞİRKETİ',
      brands: [
        {
          brandCode: 100001,
          name: 'Izinli Demo',
          retailers: [{ retailerCode: 55550001, title: 'IZINLI DEMO BAYİ 1' }],
        },
        { brandCode: 100002, name: 'Izinli Demo Alt Marka' },
      ],
      users: [{ username: 'izinli', password: 'izinli-secret' }],
    },
  ],
  integrators: [
    {
      integratorCode: 900001,
      title: 'IZINLI ENTEGRASYON',
      users: [{ username: 'integrator', password: 'integrator-secret' }],
      authorisations: [
        { iysCode: 100001, brandCode: 100001, types: ['ARAMA', 'MESAJ', 'EPOSTA'] },
        { iysCode: 100001, brandCode: 100002, types: ['ARAMA', 'MESAJ', 'EPOSTA'] },
      ],
    },
  ],
};
