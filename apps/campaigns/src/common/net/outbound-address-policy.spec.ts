import { parseIpAddress, parseIpNetwork } from './ip-address';
import { OutboundAddressPolicy } from './outbound-address-policy';

describe(OutboundAddressPolicy.name, () => {
  const sut = new OutboundAddressPolicy();

  describe('addresses', () => {
    it.each([
      // Every spelling of loopback that a URL or the system resolver reads as 127.0.0.1.
      ['127.0.0.1', 'loopback'],
      ['2130706433', 'loopback'],
      ['0x7f000001', 'loopback'],
      ['0X7F000001', 'loopback'],
      ['0177.0.0.1', 'loopback'],
      ['0x7f.0.0.1', 'loopback'],
      ['127.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['::1', 'loopback'],
      ['[::1]', 'loopback'],
      ['0:0:0:0:0:0:0:1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['[::ffff:127.0.0.1]', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['0', 'unspecified'],
      ['::', 'unspecified'],
      ['[::]', 'unspecified'],
      ['10.0.0.5', 'private'],
      ['167772165', 'private'],
      ['012.0.0.5', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['::ffff:10.0.0.5', 'private'],
      ['100.64.0.1', 'shared'],
      ['100.127.255.255', 'shared'],
      ['169.254.169.254', 'metadata'],
      ['0xa9fea9fe', 'metadata'],
      ['::ffff:169.254.169.254', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['100.100.100.200', 'metadata'],
      ['168.63.129.16', 'metadata'],
      ['169.254.1.1', 'link-local'],
      ['fe80::1', 'link-local'],
      ['fd00::1', 'unique-local'],
      ['[fd00::1]', 'unique-local'],
      ['fc00::1', 'unique-local'],
      ['192.0.0.8', 'special-purpose'],
      ['192.0.2.10', 'documentation'],
      ['198.51.100.1', 'documentation'],
      ['203.0.113.9', 'documentation'],
      ['2001:db8::1', 'documentation'],
      ['198.18.0.1', 'benchmarking'],
      ['198.19.255.255', 'benchmarking'],
      ['224.0.0.1', 'multicast'],
      ['239.255.255.250', 'multicast'],
      ['ff02::1', 'multicast'],
      ['240.0.0.1', 'reserved'],
      ['255.255.255.255', 'broadcast'],
      // NAT64 and 6to4 carry an IPv4 address that a gateway or relay then reaches.
      ['64:ff9b::10.0.0.5', 'private'],
      ['64:ff9b::7f00:1', 'loopback'],
      ['64:ff9b::a9fe:a9fe', 'metadata'],
      ['2002:7f00:1::', 'loopback'],
      ['2002:a00:5::1', 'private'],
      ['2001::1', 'special-purpose'],
      ['::127.0.0.1', 'reserved'],
      ['100::1', 'special-purpose'],
      ['4000::1', 'reserved'],
    ])('refuses %s (%s)', (address, category) => {
      expect(sut.classify(address)).toEqual({ allowed: false, category, exception: false });
    });

    it.each([
      '8.8.8.8',
      '93.184.216.34',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '169.255.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
      '2a00:1450:4017:80b::200e',
    ])('allows the public address %s', (address) => {
      expect(sut.classify(address)).toEqual({ allowed: true, category: 'public', exception: false });
    });

    it.each([
      'example.com',
      '',
      '1.2.3.4.5',
      '256.0.0.1',
      '::ffff::1',
      'fe80::1%eth0',
      '127.0.0.1/8',
      '1.2.3.4@5.6.7.8',
    ])('treats %j as no address, which is never allowed', (text) => {
      expect(sut.classify(text)).toEqual({ allowed: false, category: 'invalid', exception: false });
    });
  });

  describe("the operator's exceptions", () => {
    const withLoopback = new OutboundAddressPolicy(['127.0.0.1/32', '10.20.0.0/16', 'fd12::/16']);

    it('allows exactly the listed networks, in every spelling', () => {
      for (const address of ['127.0.0.1', '2130706433', '0x7f000001', '::ffff:127.0.0.1', '10.20.3.4', 'fd12::9'])
        expect([address, withLoopback.classify(address)]).toEqual([
          address,
          { allowed: true, category: 'allowed', exception: true },
        ]);
      for (const address of ['127.0.0.2', '::1', '10.21.0.1', 'fd13::1', '169.254.169.254'])
        expect([address, withLoopback.classify(address).allowed]).toEqual([address, false]);
    });

    it('opens nothing for an exception elsewhere', () => {
      const other = new OutboundAddressPolicy(['10.0.0.0/8']);
      expect(other.classify('127.0.0.1')).toMatchObject({ allowed: false, category: 'loopback' });
      expect(other.refuseUrl(new URL('http://127.0.0.1:4120/_sim/reset'))).toMatch(/loopback/);
      expect(other.refuseUrl(new URL('http://10.1.2.3:8080/hook'))).toBeNull();
    });

    it('refuses a bad network', () => {
      expect(() => new OutboundAddressPolicy(['localhost'])).toThrow(/localhost/);
    });
  });

  describe('URLs', () => {
    it.each([
      ['http://127.0.0.1:4120/_sim/reset', /loopback/],
      ['https://169.254.169.254/latest/meta-data/', /metadata/],
      ['https://10.0.0.5/', /private/],
      ['https://[fd00::1]/', /unique-local/],
      ['https://0x7f000001/', /loopback/],
      ['https://2130706433/', /loopback/],
      ['https://0177.0.0.1/', /loopback/],
      ['https://127.1/', /loopback/],
      ['https://[::ffff:127.0.0.1]/', /loopback/],
      ['https://[::]/', /unspecified/],
      ['https://0.0.0.0/', /unspecified/],
      ['https://[64:ff9b::a00:5]/', /private/],
      ['http://localhost:6379/', /local host name/],
      ['https://localhost/', /local host name/],
      ['https://LOCALHOST./', /local host name/],
      ['https://api.localhost/', /local host name/],
      ['https://metadata.google.internal/computeMetadata/v1/', /local host name/],
      ['https://metadata.goog/', /local host name/],
      ['https://printer.local/', /local host name/],
      ['https://metadata/', /single-label/],
      ['https://redis:6379/', /single-label/],
      ['http://crm.example.com/hook', /plain http/],
      ['http://8.8.8.8/hook', /plain http/],
      ['ftp://crm.example.com/', /https/],
    ])('refuses %s', (url, reason) => {
      expect(sut.refuseUrl(new URL(url))).toMatch(reason);
    });

    it.each(['https://crm.example.com/izinli', 'https://8.8.8.8/hook', 'https://[2606:4700:4700::1111]:8443/h'])(
      'accepts %s',
      (url) => {
        expect(sut.refuseUrl(new URL(url))).toBeNull();
      },
    );

    it('accepts plain http:// only to an address inside an exception', () => {
      const sutWith = new OutboundAddressPolicy(['127.0.0.1/32']);
      expect(sutWith.refuseUrl(new URL('http://127.0.0.1:4120/hook'))).toBeNull();
      expect(sutWith.refuseUrl(new URL('http://0x7f000001:4120/hook'))).toBeNull();
      expect(sutWith.refuseUrl(new URL('http://8.8.8.8/hook'))).toMatch(/plain http/);
      expect(sutWith.refuseUrl(new URL('http://crm.example.com/hook'))).toMatch(/plain http/);
      expect(sutWith.refuseUrl(new URL('http://localhost:4120/hook'))).toMatch(/local host name/);
    });
  });
});

describe(parseIpNetwork.name, () => {
  it('reads addresses and CIDRs in their plain spelling only', () => {
    expect(parseIpNetwork('10.0.0.0/8')).toEqual({ family: 4, bytes: [10, 0, 0, 0], prefix: 8 });
    expect(parseIpNetwork('::1')).toMatchObject({ family: 6, prefix: 128 });
    for (const bad of ['0x7f000001', '127.1', '10.0.0.0/33', '::/129', 'a/8', '10.0.0.0/x']) {
      expect([bad, parseIpNetwork(bad)]).toEqual([bad, null]);
    }
  });
});

describe(parseIpAddress.name, () => {
  it('canonicalises as the URL parser does', () => {
    expect(parseIpAddress('0x7f.1')?.text).toBe('127.0.0.1');
    expect(parseIpAddress('::ffff:127.0.0.1')).toEqual({
      family: 6,
      bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1],
      text: '::ffff:7f00:1',
    });
  });
});
