// broker/dynamic-tls.ts: which ssl.* settings a broker takes from its image (its own dynamic
// configs only; Kafka's are per-broker), when two are the same, and the log text (never the
// password). The reload itself runs end to end in test/e2e/dynamic-tls.test.ts.

import { describe, expect, it } from 'vitest';
import { dynamicTlsSettings, sameTlsSettings, tlsSettingsText } from '../../broker/dynamic-tls.js';
import { imageOf } from '../../metadata-log/delta.js';

describe('dynamic TLS settings', () => {
  it("are this broker's own ssl.keystore.location, ssl.key.password and ssl.truststore.location; another broker's are not", () => {
    const image = imageOf([
      { type: 'Config', resourceType: 'broker', resourceName: '4', name: 'ssl.keystore.location', value: '/etc/new.pem' },
      { type: 'Config', resourceType: 'broker', resourceName: '4', name: 'ssl.key.password', value: 's3cret' },
      { type: 'Config', resourceType: 'broker', resourceName: '5', name: 'ssl.truststore.location', value: '/etc/ca5.pem' },
    ]);
    expect(dynamicTlsSettings(image, 4, 'SSL')).toEqual({ keystoreLocation: '/etc/new.pem', keyPassword: 's3cret' });
    expect(dynamicTlsSettings(image, 5, 'SSL')).toEqual({ truststoreLocation: '/etc/ca5.pem' });
    expect(dynamicTlsSettings(image, 6, 'SSL')).toEqual({});
    expect(sameTlsSettings(dynamicTlsSettings(image, 4, 'SSL'), { keystoreLocation: '/etc/new.pem', keyPassword: 's3cret' })).toBe(true);
    expect(sameTlsSettings(dynamicTlsSettings(image, 4, 'SSL'), { keystoreLocation: '/etc/new.pem' })).toBe(false);
    expect(tlsSettingsText(dynamicTlsSettings(image, 4, 'SSL'))).toBe('ssl.keystore.location=/etc/new.pem, ssl.key.password=[hidden]');
    expect(tlsSettingsText({})).toBe('the static ssl.* settings (server.properties)');
  });

  it('a listener-prefixed key (listener.name.<listener in lower case>.<key>) is that listener\'s, over the unprefixed one; other listeners keep the unprefixed', () => {
    const config = (name: string, value: string) => ({ type: 'Config' as const, resourceType: 'broker' as const, resourceName: '4', name, value });
    const image = imageOf([
      config('ssl.keystore.location', '/etc/all.pem'),
      config('ssl.truststore.location', '/etc/ca.pem'),
      config('listener.name.external.ssl.keystore.location', '/etc/external.pem'),
      config('listener.name.external.ssl.key.password', 'ext'),
    ]);
    const external = dynamicTlsSettings(image, 4, 'EXTERNAL');
    expect(external).toEqual({
      keystoreLocation: '/etc/external.pem',
      keyPassword: 'ext',
      truststoreLocation: '/etc/ca.pem',
      from: { keystoreLocation: 'listener.name.external.ssl.keystore.location', keyPassword: 'listener.name.external.ssl.key.password' },
    });
    // Log lines and errors name the key each value came from.
    expect(tlsSettingsText(external)).toBe('listener.name.external.ssl.keystore.location=/etc/external.pem, listener.name.external.ssl.key.password=[hidden], ssl.truststore.location=/etc/ca.pem');
    expect(dynamicTlsSettings(image, 4, 'INTERNAL')).toEqual({ keystoreLocation: '/etc/all.pem', truststoreLocation: '/etc/ca.pem' });
  });
});
