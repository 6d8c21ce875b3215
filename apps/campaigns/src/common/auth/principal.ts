export type Principal = { kind: 'operator' } | { kind: 'service-provider'; serviceProviderId: string };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}
