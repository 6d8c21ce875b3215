import { registerDecorator, ValidationOptions } from 'class-validator';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A webhook URL must be https://. Plain http:// is accepted only for this machine (localhost, 127.0.0.1, [::1]),
 * which is what local development and the tests' receivers use; consent data never crosses a network unencrypted.
 * No credentials in the URL (the signature authenticates Izinli), no fragment.
 */
export function isAllowedWebhookUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2000) return false;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.username || u.password || u.hash) return false;
  if (u.protocol === 'https:') return u.hostname.length > 0;
  return u.protocol === 'http:' && LOCAL_HOSTS.has(u.hostname);
}

export function IsWebhookUrl(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isWebhookUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: 'webhookUrl must be an https:// URL (http:// only for localhost or 127.0.0.1), without credentials',
        ...options,
      },
      validator: { validate: (value: unknown) => value === null || isAllowedWebhookUrl(value) },
    });
}
