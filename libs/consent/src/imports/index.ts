export * from './import.types';
export { IMPORT_COLUMNS, type ImportColumn } from './import-csv';
export * from './import.repository';
export * from './consent-importer';
