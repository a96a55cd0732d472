import { allowedUrls, checkEndpointUrl, nextRetryDelay, signDelivery, verifyDelivery } from './webhook-policy';

describe('webhook policy', () => {
  describe('allowed URLs', () => {
    const allowed = allowedUrls('https://erp.example.com/hooks/, http://127.0.0.1:*, http://10.0.0.5:8080, https://bi.example.com/in');

    it.each([
      'https://erp.example.com/hooks/dealledger',
      'https://erp.example.com:443/hooks/x',
      'http://127.0.0.1:4567/in',
      'http://127.0.0.1/in',
      'http://10.0.0.5:8080/',
      'https://bi.example.com/in',
      'https://bi.example.com/in/events',
      'HTTPS://BI.EXAMPLE.COM/in',
    ])('takes %s', (url) => {
      expect(checkEndpointUrl(url, allowed)).toBe(new URL(url).href);
    });

    it.each([
      ['https://erp.example.com/other', 'webhook.url_not_allowed'],
      ['http://erp.example.com/hooks/x', 'webhook.url_not_allowed'],
      ['http://10.0.0.5:8081/', 'webhook.url_not_allowed'],
      ['http://127.0.0.1.evil.com/', 'webhook.url_not_allowed'],
      ['https://bi.example.com:8443/in', 'webhook.url_not_allowed'],
      ['https://bi.example.com/in-admin/delete', 'webhook.url_not_allowed'],
      ['https://bi.example.com/in/../admin', 'webhook.url_not_allowed'],
      ['https://erp.example.com/hooks/..%2fadmin', 'webhook.bad_url'],
      ['https://erp.example.com/hooks/%5c..%5cadmin', 'webhook.bad_url'],
      ['http://127.0.0.1:80@evil.com/', 'webhook.bad_url'],
      ['ftp://127.0.0.1/', 'webhook.bad_url'],
      ['not a url', 'webhook.bad_url'],
    ])('refuses %s (%s)', (url, code) => {
      expect(() => checkEndpointUrl(url, allowed)).toThrow(expect.objectContaining({ code }));
    });

    it('refuses everything when the installation allows nothing', () => {
      expect(() => checkEndpointUrl('https://erp.example.com/hooks/', allowedUrls(undefined))).toThrow(/allows no webhook URLs/);
    });
  });

  describe('signatures', () => {
    const at = new Date('2026-11-30T10:00:00Z');
    const body = '{"cursor":"7"}';

    it('verifies its own signature, and nothing else', () => {
      const header = signDelivery('whsec_a', body, at);
      expect(header).toMatch(/^t=1796032800,v1=[0-9a-f]{64}$/);
      expect(verifyDelivery('whsec_a', body, header, at)).toBe(true);
      expect(verifyDelivery('whsec_b', body, header, at)).toBe(false);
      expect(verifyDelivery('whsec_a', body + ' ', header, at)).toBe(false);
      expect(verifyDelivery('whsec_a', body, header.replace(/v1=./, 'v1=0'), at)).toBe(false);
    });

    it('refuses a signature older than the tolerance (a replayed delivery)', () => {
      const header = signDelivery('whsec_a', body, at);
      expect(verifyDelivery('whsec_a', body, header, new Date(at.getTime() + 299_000))).toBe(true);
      expect(verifyDelivery('whsec_a', body, header, new Date(at.getTime() + 301_000))).toBe(false);
    });
  });

  describe('retries', () => {
    const policy = { maxAttempts: 5, baseMs: 1000, maxMs: 5000 };

    it('doubles the wait up to the cap, and gives up after the last attempt', () => {
      expect([1, 2, 3, 4].map((a) => nextRetryDelay(a, policy, 0))).toEqual([1000, 2000, 4000, 5000]);
      expect(nextRetryDelay(5, policy, 0)).toBeNull();
    });

    it('takes up to a fifth off at random', () => {
      expect(nextRetryDelay(2, policy, 1)).toBe(1600);
    });
  });
});
