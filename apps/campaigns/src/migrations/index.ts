import { CreateTenancy1764300000000 } from './1764300000000-CreateTenancy';

/** The app's migrations; the libraries' own lists are added beside them in the app module. */
export const appMigrations = [CreateTenancy1764300000000];
