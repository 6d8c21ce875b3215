/** Who made the request, and with which key (`keyId`: the key's non-secret id, as the key lists show it). */
export type Principal =
  { kind: 'operator'; keyId: string } | { kind: 'service-provider'; serviceProviderId: string; keyId: string };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
