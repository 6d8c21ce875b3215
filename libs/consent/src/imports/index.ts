export * from './import.types';
export { IMPORT_COLUMNS, type ImportColumn } from './import-csv';
export { FIRST_RET_MESSAGE } from './import-plan';
export * from './import.repository';
export * from './consent-importer';
