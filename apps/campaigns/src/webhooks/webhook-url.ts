import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * The shape of a webhook URL: http:// or https://, a host, no credentials (the signature authenticates Izinli), no
 * fragment. Where it may lead (public addresses over https://; plain http:// only inside the operator's
 * WEBHOOK_ALLOWED_NETWORKS) is OutboundAddressPolicy's decision, which needs the configuration and is taken in the
 * controller, and again at every delivery.
 */
export function isWellFormedWebhookUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2000) return false;
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return false;
  }
  if (u.username || u.password || u.hash) return false;
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.length > 0;
}

export function IsWebhookUrl(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isWebhookUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: 'webhookUrl must be an https:// URL without credentials or fragment',
        ...options,
      },
      validator: { validate: (value: unknown) => value === null || isWellFormedWebhookUrl(value) },
    });
}
