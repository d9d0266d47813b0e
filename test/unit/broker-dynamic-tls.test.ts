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
    expect(dynamicTlsSettings(image, 4)).toEqual({ keystoreLocation: '/etc/new.pem', keyPassword: 's3cret' });
    expect(dynamicTlsSettings(image, 5)).toEqual({ truststoreLocation: '/etc/ca5.pem' });
    expect(dynamicTlsSettings(image, 6)).toEqual({});
    expect(sameTlsSettings(dynamicTlsSettings(image, 4), { keystoreLocation: '/etc/new.pem', keyPassword: 's3cret' })).toBe(true);
    expect(sameTlsSettings(dynamicTlsSettings(image, 4), { keystoreLocation: '/etc/new.pem' })).toBe(false);
    expect(tlsSettingsText(dynamicTlsSettings(image, 4))).toBe('ssl.keystore.location=/etc/new.pem, ssl.key.password=[hidden]');
    expect(tlsSettingsText({})).toBe('the static ssl.* settings (server.properties)');
  });
});
