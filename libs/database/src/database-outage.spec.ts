import { isConnectionError, retryThroughOutage } from './database-outage';

describe(retryThroughOutage.name, () => {
  it('recognises lost connections, also inside a wrapper', () => {
    expect(
      isConnectionError(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
    ).toBe(true);
    expect(isConnectionError({ message: 'Query failed', driverError: { code: 'ECONNREFUSED' } })).toBe(true);
    expect(isConnectionError(new Error('database "x" is not currently accepting connections'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
  });

  it('retries through an outage and answers once the database is back', async () => {
    let calls = 0;
    const out = await retryThroughOutage(async () => {
      if (++calls < 3) throw Object.assign(new Error('Connection terminated unexpectedly'), {});
      return 'ok';
    }, 10_000);
    expect(out).toBe('ok');
    expect(calls).toBe(3);
  });

  it('throws a statement error at once and an outage after the deadline', async () => {
    let calls = 0;
    await expect(
      retryThroughOutage(async () => {
        calls++;
        throw Object.assign(new Error('syntax error'), { code: '42601' });
      }, 10_000),
    ).rejects.toThrow('syntax error');
    expect(calls).toBe(1);
    await expect(
      retryThroughOutage(async () => {
        throw Object.assign(new Error('x'), { code: 'ECONNREFUSED' });
      }, 300),
    ).rejects.toThrow('x');
  });
});
