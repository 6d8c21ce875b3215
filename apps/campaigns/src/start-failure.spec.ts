import { loadAppConfig } from '@izinli/config';
import { databaseFailure, portFailure } from './start-failure';

const errorWith = (code: string, message = code) => Object.assign(new Error(message), { code });

describe(portFailure.name, () => {
  it('names the variable and the port for a taken or forbidden port', () => {
    expect(portFailure('PORT', 3000, errorWith('EADDRINUSE'))).toMatchObject({
      variable: 'PORT',
      message: 'PORT 3000 is already in use; set PORT to a free port',
    });
    expect(portFailure('IYS_SIMULATOR_PORT', 80, errorWith('EACCES'))?.message).toMatch(
      /^IYS_SIMULATOR_PORT 80 may not be used by this user \(EACCES\); set IYS_SIMULATOR_PORT to a port above 1023, or IYS_URL/,
    );
  });

  it('leaves any other error alone', () => {
    expect(portFailure('PORT', 3000, new Error('boom'))).toBeNull();
  });
});

describe(databaseFailure.name, () => {
  const server = loadAppConfig({ DATABASE_URL: 'postgres://izinli:s3cr3t-pw@db.internal:6543/izinli' });

  it.each([
    [errorWith('ECONNREFUSED'), /ECONNREFUSED: the connection was refused/],
    [errorWith('ENOTFOUND'), /ENOTFOUND: the host name does not resolve/],
    [errorWith('28P01', 'password authentication failed for user "izinli"'), /28P01: the password was refused/],
    [errorWith('3D000'), /3D000: the database does not exist/],
    [new Error('Connection terminated due to connection timeout'), /timeout: the connection timed out/],
    // A host name with several addresses fails with every address's error.
    [Object.assign(new AggregateError([errorWith('ECONNREFUSED'), errorWith('ECONNREFUSED')]), {}), /ECONNREFUSED/],
  ])('names DATABASE_URL and where it points, never its password: %s', (err, why) => {
    const sut = databaseFailure(server, err);
    expect(sut?.variable).toBe('DATABASE_URL');
    expect(sut?.message).toMatch(/^DATABASE_URL: cannot use the PostgreSQL server at db\.internal:6543\/izinli \(/);
    expect(sut?.message).toMatch(why);
    expect(sut?.message).not.toContain('s3cr3t-pw');
  });

  it('names DATA_DIR when the embedded database cannot write there, and leaves other errors alone', () => {
    const embedded = loadAppConfig({ DATA_DIR: '/srv/izinli' });
    expect(databaseFailure(embedded, errorWith('EACCES'))?.message).toBe(
      'DATA_DIR /srv/izinli cannot be written by this user (EACCES); set DATA_DIR to a directory it owns',
    );
    expect(databaseFailure(embedded, errorWith('ECONNREFUSED'))).toBeNull();
    expect(databaseFailure(server, new Error('relation "x" does not exist'))).toBeNull();
  });
});
