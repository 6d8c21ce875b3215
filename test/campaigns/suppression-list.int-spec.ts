import { randomUUID } from 'crypto';
import { consentMigrations, InvalidSuppressionAddressError, SuppressionList } from '@izinli/consent';
import { createTestDatabase, TestDatabase } from '@izinli/testing';

describe(SuppressionList.name, () => {
  let db: TestDatabase;
  let sut: SuppressionList;
  const tenant = randomUUID();
  const otherTenant = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase(consentMigrations);
    sut = new SuppressionList(db.dataSource);
  });
  afterAll(() => db?.close());

  it('adds an entry once per scope, normalising the address; adding again changes nothing', async () => {
    const first = await sut.add('  Bounce@Example.COM ', null, 'HARD_BOUNCE', 'SMTP', 'campaign x');
    expect(first).toMatchObject({
      created: true,
      entry: { email: 'bounce@example.com', tenantId: null, reason: 'HARD_BOUNCE', origin: 'SMTP', note: 'campaign x' },
    });
    const again = await sut.add('bounce@example.com', null, 'COMPLAINT', 'API');
    expect(again).toEqual({ created: false, entry: first.entry });
    const scoped = await sut.add('bounce@example.com', tenant, 'MANUAL', 'API');
    expect(scoped.created).toBe(true);
    const [{ n }] = await db.dataSource.query(
      `SELECT count(*)::int AS n FROM suppressions WHERE email = 'bounce@example.com'`,
    );
    expect(n).toBe(2);
  });

  it('refuses an address İYS would refuse', async () => {
    await expect(sut.add('not an address', tenant, 'MANUAL', 'API')).rejects.toBeInstanceOf(
      InvalidSuppressionAddressError,
    );
  });

  it('removes only the entry of the given scope', async () => {
    await sut.add('remove-me@example.com', tenant, 'MANUAL', 'API');
    await sut.add('remove-me@example.com', null, 'MANUAL', 'OPERATOR');
    expect(await sut.remove('remove-me@example.com', otherTenant)).toBe(false);
    expect(await sut.remove('Remove-Me@example.com', tenant)).toBe(true);
    expect(await sut.remove('remove-me@example.com', tenant)).toBe(false);
    expect((await sut.list({ tenantId: null, email: 'remove-me@example.com', limit: 10 })).items).toHaveLength(1);
    expect(await sut.remove('remove-me@example.com', null)).toBe(true);
    expect(await sut.remove('not an address', null)).toBe(false);
  });

  it("lists one tenant's scope in pages, never the platform-wide entries; every scope only on request", async () => {
    for (let i = 0; i < 5; i++) await sut.add(`page${i}@example.com`, otherTenant, 'MANUAL', 'API');
    await sut.add('platform@example.com', null, 'COMPLAINT', 'OPERATOR', 'from message 123 of another tenant');
    const p1 = await sut.list({ tenantId: otherTenant, limit: 3 });
    expect(p1.items.map((e) => e.email)).toEqual(['page0@example.com', 'page1@example.com', 'page2@example.com']);
    const p2 = await sut.list({ tenantId: otherTenant, limit: 3, afterId: p1.nextAfterId });
    expect(p2.items.map((e) => e.email)).toEqual(['page3@example.com', 'page4@example.com']);
    expect(p2.nextAfterId).toBeNull();
    expect((await sut.list({ tenantId: otherTenant, email: 'platform@example.com', limit: 10 })).items).toEqual([]);
    const all = await sut.list({ tenantId: null, everyScope: true, limit: 1000 });
    expect(all.items.map((e) => [e.email, e.tenantId])).toEqual(
      expect.arrayContaining([
        ['page0@example.com', otherTenant],
        ['platform@example.com', null],
        ['bounce@example.com', tenant],
      ]),
    );
    expect(
      (await sut.list({ tenantId: otherTenant, email: 'PAGE1@example.com', limit: 10 })).items.map((e) => e.email),
    ).toEqual(['page1@example.com']);
    expect((await sut.list({ tenantId: otherTenant, email: 'garbage', limit: 10 })).items).toEqual([]);
  });

  it('tells whether a platform-wide entry covers an address, and nothing more', async () => {
    await sut.add('covered@example.com', null, 'HARD_BOUNCE', 'SMTP', 'hard bounce 550 of message m-1');
    await sut.add('tenant-only@example.com', tenant, 'MANUAL', 'API');
    expect(await sut.coversPlatformWide(' Covered@Example.com')).toBe(true);
    expect(await sut.coversPlatformWide('tenant-only@example.com')).toBe(false);
    expect(await sut.coversPlatformWide('garbage')).toBe(false);
  });
});
