// Runs once before every jest layer. Kept small: each suite prepares its own database and services.
export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
}
