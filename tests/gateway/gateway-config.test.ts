import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../src/config';
import { gatewaySettingsFromEnv } from '../../src/config/gateway-settings';

test('an open gateway listens on loopback only; with a token (or an explicit host) on every interface', () => {
  assert.equal(gatewaySettingsFromEnv({}).host, '127.0.0.1');
  assert.equal(gatewaySettingsFromEnv({ API_TOKEN: 'a-token-of-sixteen-chars' }).host, '0.0.0.0');
  assert.equal(gatewaySettingsFromEnv({ GATEWAY_HOST: '0.0.0.0' }).host, '0.0.0.0');
  assert.equal(gatewaySettingsFromEnv({ GATEWAY_HOST: '10.1.2.3', API_TOKEN: 'a-token-of-sixteen-chars' }).host, '10.1.2.3');
});

test('bad gateway settings fail with a message naming them', () => {
  assert.throws(() => gatewaySettingsFromEnv({ API_TOKEN: 'short' }), (err: Error) => err instanceof ConfigError && /API_TOKEN/.test(err.message));
  assert.throws(() => gatewaySettingsFromEnv({ GATEWAY_REQUEST_TIMEOUT_MS: 'soon' }), /GATEWAY_REQUEST_TIMEOUT_MS/);
});
