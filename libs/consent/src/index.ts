// The consent library's one public entry. Import it as '@izinli/consent'; there is no deep-import variant.
export * from './domain';
export * from './classification';
export * from './calendar';
export * from './addresses';
export * from './clock';
export * from './gate/gate-policy';
export * from './gate/consent-gate';
export * from './registry/consent.types';
export * from './registry/movement-rules';
export * from './registry/consent-registry';
export * from './migrations';
export * from './consent.module';
export * from './registry/registry.repository';
