export * from './app-config';
export * from './private-files';
export * from './secret-store';
export * from './secret-strength';
