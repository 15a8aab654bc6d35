import { checkEndpointUrl, isPrivateAddress, publicOnlyLookup } from './url-guard';
import { retryAfterMs } from './webhook-sender';
import { buildPayload } from './webhook-events';

describe('isPrivateAddress', () => {
  it.each(['127.0.0.1', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', '224.0.0.1'])(
    '%s is private',
    (ip) => expect(isPrivateAddress(ip)).toBe(true),
  );
  it.each(['93.184.216.34', '172.32.0.1', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => expect(isPrivateAddress(ip)).toBe(false));
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, caps at 24 h, ignores garbage', () => {
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs(undefined)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs('999999')).toBe(24 * 3_600_000);
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterMs(inOneMinute)).toBeGreaterThan(55_000);
  });
});

describe('buildPayload', () => {
  it('puts the resource id first and drops personal or non-primitive data', () => {
    const occurredAt = new Date('2026-11-30T08:00:00.000Z');
    const payload = buildPayload({
      type: 'beneficiary.exited',
      resourceType: 'beneficiary',
      resourceId: 'b-1',
      occurredAt,
      data: { reason: 'employment', exitedOn: '2026-11-30', lastName: 'Dupont', nir: '1850793066123', birthDate: '1985-07-14', note: 'x', nested: { a: 1 } },
    });
    expect(payload).toEqual({ type: 'beneficiary.exited', timestamp: '2026-11-30T08:00:00.000Z', data: { beneficiaryId: 'b-1', reason: 'employment', exitedOn: '2026-11-30' } });
  });
});

describe('publicOnlyLookup (the check at connection time)', () => {
  it('refuses a host name that resolves to loopback', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', { all: true }, (err) => resolve(err)));
    expect(error).toMatchObject({ code: 'EPRIVATEADDRESS', message: 'localhost resolves to a private address' });
  });
});

describe('checkEndpointUrl', () => {
  it('refuses other schemes, credentials and private hosts; private ones pass when allowed', async () => {
    expect(await checkEndpointUrl('ftp://example.org/', false)).toBe('scheme');
    expect(await checkEndpointUrl('not a url', false)).toBe('scheme');
    expect(await checkEndpointUrl('https://a:b@example.org/', false)).toBe('credentials');
    expect(await checkEndpointUrl('http://localhost:3000/', false)).toBe('private');
    expect(await checkEndpointUrl('http://[::1]/', false)).toBe('private');
    expect(await checkEndpointUrl('http://127.0.0.1/', true)).toBeNull();
    expect(await checkEndpointUrl('https://93.184.216.34/', false)).toBeNull();
  });
});
