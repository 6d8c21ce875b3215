import { RequestLog, type RequestLogEntry, redactSecrets } from './request-log';

const entry = (n: number): RequestLogEntry => ({
  time: String(n),
  method: 'GET',
  path: `/${n}`,
  body: undefined,
  status: 200,
  clientIp: '127.0.0.1',
});

describe(RequestLog.name, () => {
  it('keeps the newest entries, oldest first', () => {
    let limit = 3;
    const sut = new RequestLog(() => limit);
    for (let i = 1; i <= 5; i++) sut.add(entry(i));
    expect(sut.list().map((e) => e.path)).toEqual(['/3', '/4', '/5']);
    limit = 2;
    sut.add(entry(6));
    expect(sut.list().map((e) => e.path)).toEqual(['/5', '/6']);
  });

  it('never keeps passwords or tokens', () => {
    expect(redactSecrets({ grant_type: 'password', username: 'u', password: 'p' })).toEqual({
      grant_type: 'password',
      username: 'u',
      password: '***',
    });
    expect(redactSecrets({ refresh_token: 'r' })).toEqual({ refresh_token: '***' });
  });
});
