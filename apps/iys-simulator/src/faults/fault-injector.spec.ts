import { FaultInjector, FaultValidationError } from './fault-injector';

describe(FaultInjector.name, () => {
  let now = 1_000_000;
  const clock = () => now;

  it('is idle until told otherwise', () => {
    const sut = new FaultInjector(clock);
    expect(sut.isIdle()).toBe(true);
    expect(sut.decide('/oauth2/token')).toEqual({ kind: 'pass' });
  });

  it('answers with the chosen codes at the chosen rate', () => {
    const sut = new FaultInjector(clock, () => 0);
    sut.set({ errorRate: 0.5, errorCodes: ['H192'] });
    expect(sut.decide('/sps/1/brands/1/consents')).toEqual({ kind: 'error', code: 'H192' });
  });

  it('bursts 429 and drops connections for a number of seconds', () => {
    const sut = new FaultInjector(clock);
    sut.set({ tooManyRequestsFor: 2, outageSeconds: 1 });
    expect(sut.isOutage('/x')).toBe(true);
    expect(sut.decide('/x')).toEqual({ kind: 'error', code: 'H124' });
    now += 1500;
    expect(sut.isOutage('/x')).toBe(false);
    now += 1000;
    expect(sut.decide('/x')).toEqual({ kind: 'pass' });
  });

  it('limits faults to matching paths', () => {
    const sut = new FaultInjector(clock, () => 0);
    sut.set({ errorRate: 1, pathPattern: '/consents$' });
    expect(sut.decide('/oauth2/token')).toEqual({ kind: 'pass' });
    expect(sut.decide('/sps/1/brands/1/consents').kind).toBe('error');
  });

  it('refuses bad settings without changing anything', () => {
    const sut = new FaultInjector(clock);
    expect(() => sut.set({ errorRate: 2, errorCodes: ['NOPE'] })).toThrow(FaultValidationError);
    expect(sut.isIdle()).toBe(true);
  });
});
