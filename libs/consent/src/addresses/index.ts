export * from './address-result';
export * from './email-address';
export * from './phone-number';
export * from './recipient';
