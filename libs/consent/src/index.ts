// The consent library's one public entry. Import it as '@izinli/consent'; there is no deep-import variant.
export * from './domain';
export * from './classification';
export * from './calendar';
export * from './addresses';
