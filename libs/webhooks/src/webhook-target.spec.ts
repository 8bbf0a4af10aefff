import { ConfigError, loadConfig } from '@app/config';
import { WebhookTargetGuard } from './webhook-target';

describe('WebhookTargetGuard', () => {
  const strict = new WebhookTargetGuard([]);

  it.each([
    '127.0.0.1',
    '127.10.0.5',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:192.168.1.1',
    '::ffff:a00:1', // how URL writes [::ffff:10.0.0.1]
  ])('refuses %s', (addr) => {
    expect(strict.blockedAddress(addr)).toBe(true);
  });

  it.each(['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('accepts %s', (addr) => {
    expect(strict.blockedAddress(addr)).toBe(false);
  });

  it('checks URLs by literal address and local names without DNS, and honours the allow-list', async () => {
    await expect(strict.check('http://127.0.0.1:3000/x')).resolves.toMatchObject({ ok: false });
    await expect(strict.check('http://[::1]/x')).resolves.toMatchObject({ ok: false });
    await expect(strict.check('http://gateway.internal/x')).resolves.toMatchObject({ ok: false });
    await expect(strict.check('https://8.8.8.8/x')).resolves.toEqual({ ok: true });
    const allowing = new WebhookTargetGuard(['127.0.0.1', '10.20.0.0/16', 'gateway.internal']);
    await expect(allowing.check('http://127.0.0.1:3000/x')).resolves.toEqual({ ok: true });
    await expect(allowing.check('http://10.20.3.4/x')).resolves.toEqual({ ok: true });
    await expect(allowing.check('http://10.21.3.4/x')).resolves.toMatchObject({ ok: false });
    await expect(allowing.check('http://127.0.0.2/x')).resolves.toMatchObject({ ok: false });
    await expect(allowing.check('http://gateway.internal/x')).resolves.toEqual({ ok: true });
    await expect(allowing.checkBeforeDelivery('http://10.21.3.4/x')).resolves.toEqual({ ok: false, reason: 'blocked-address' });
  });

  it('reads WEBHOOK_ALLOWED_HOSTS and rejects malformed entries', () => {
    expect(loadConfig({ WEBHOOK_ALLOWED_HOSTS: ' 127.0.0.1, Receiver.Local ,10.0.0.0/8,::1 ' }).webhookAllowedHosts).toEqual(['127.0.0.1', 'receiver.local', '10.0.0.0/8', '::1']);
    expect(loadConfig({}).webhookAllowedHosts).toEqual([]);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: 'http://x/' })).toThrow(ConfigError);
  });
});
