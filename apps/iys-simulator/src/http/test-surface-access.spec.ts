import type { IncomingHttpHeaders } from 'http';
import type { Request, Response } from 'express';
import type { LimitsService } from '../limits/limits.service';
import type { SimulatorState } from '../state/simulator-state';
import { createRequestPipeline } from './request-pipeline';
import { isLoopbackAddress, mayUseTestSurface } from './test-surface-access';

const TOKEN = 'sim-token-4f1c9a7e2b6d8053a1c4';
const from = (remoteAddress: string | undefined, headers: IncomingHttpHeaders = {}) => ({
  socket: { remoteAddress },
  headers,
});

describe(isLoopbackAddress.name, () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.2'])('%s is loopback', (a) => {
    expect(isLoopbackAddress(a)).toBe(true);
  });

  it.each(['10.0.0.7', '192.168.1.20', '203.0.113.9', '::ffff:10.0.0.7', 'fe80::1', '::', '0.0.0.0', '', undefined])(
    '%s is not',
    (a) => {
      expect(isLoopbackAddress(a)).toBe(false);
    },
  );
});

describe(mayUseTestSurface.name, () => {
  describe('without a token', () => {
    it('lets callers on this machine in', () => {
      expect(mayUseTestSurface(from('127.0.0.1'), undefined)).toBe(true);
      expect(mayUseTestSurface(from('::ffff:127.0.0.1'), undefined)).toBe(true);
    });

    it('refuses any other caller, whatever X-Forwarded-For claims', () => {
      expect(mayUseTestSurface(from('203.0.113.9'), undefined)).toBe(false);
      expect(mayUseTestSurface(from('172.18.0.5', { 'x-forwarded-for': '127.0.0.1' }), undefined)).toBe(false);
      expect(mayUseTestSurface(from(undefined), undefined)).toBe(false);
    });
  });

  describe('with a token', () => {
    it('lets in a caller from anywhere that presents it, as a bearer token or X-Simulator-Token', () => {
      expect(mayUseTestSurface(from('203.0.113.9', { authorization: `Bearer ${TOKEN}` }), TOKEN)).toBe(true);
      expect(mayUseTestSurface(from('172.18.0.5', { 'x-simulator-token': TOKEN }), TOKEN)).toBe(true);
    });

    it('refuses a wrong or missing token, even from this machine', () => {
      expect(mayUseTestSurface(from('127.0.0.1', { authorization: `Bearer ${TOKEN}x` }), TOKEN)).toBe(false);
      expect(mayUseTestSurface(from('127.0.0.1', { 'x-simulator-token': TOKEN.slice(1) }), TOKEN)).toBe(false);
      expect(mayUseTestSurface(from('127.0.0.1', { authorization: `Basic ${TOKEN}` }), TOKEN)).toBe(false);
      expect(mayUseTestSurface(from('127.0.0.1'), TOKEN)).toBe(false);
    });
  });
});

describe(createRequestPipeline.name, () => {
  // A remote caller cannot be made without leaving the machine: the request's socket address is set here instead.
  function run(path: string, remoteAddress: string, headers: IncomingHttpHeaders = {}, token?: string) {
    const sent: { status?: number; body?: unknown } = {};
    const res = {
      locals: {} as Record<string, unknown>,
      status(code: number) {
        sent.status = code;
        return this;
      },
      json(body: unknown) {
        sent.body = body;
        return this;
      },
    };
    const next = jest.fn();
    // Refusing happens before the state, the limits or the body are touched.
    const sut = createRequestPipeline({} as SimulatorState, {} as LimitsService, token);
    void sut({ path, socket: { remoteAddress }, headers } as unknown as Request, res as unknown as Response, next);
    return { sent, next };
  }

  it('answers a caller off this machine 403 SIM403 on /_sim/, in İYS error shape, and goes no further', () => {
    const { sent, next } = run('/_sim/reset', '203.0.113.9', { 'x-forwarded-for': '127.0.0.1' });
    expect(sent.status).toBe(403);
    expect(sent.body).toEqual({
      errors: [{ code: 'SIM403', message: expect.stringContaining('IYS_SIMULATOR_TOKEN') }],
    });
    expect(next).not.toHaveBeenCalled();
  });

  it('answers a wrong token 403 even from loopback', () => {
    const { sent, next } = run('/_sim/config', '127.0.0.1', { authorization: 'Bearer nope' }, TOKEN);
    expect(sent.status).toBe(403);
    expect(next).not.toHaveBeenCalled();
  });
});
