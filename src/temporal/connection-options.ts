import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { ConfigError, type OrchestratorConfig, temporalAddressOf } from '../config';

/**
 * gRPC channel arguments of client Connections: reconnect within a second once Temporal is back (grpc-js backs
 * off up to 120 s between attempts by default, which would keep a recovered server looking down for minutes).
 */
export const RECONNECT_CHANNEL_ARGS = { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 1_000 };

/** What both `Connection.connect` (client) and `NativeConnection.connect` (worker) take. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * How to connect to the configured Temporal: the address, plus TLS (mTLS with a client certificate, a custom
 * CA, a server name) and an API key for an external cluster or Temporal Cloud. The embedded dev server
 * (no `temporalAddress`) gets neither. Certificate files are read here, so a wrong path fails at start-up.
 */
export function temporalConnectionOptions(config: OrchestratorConfig): TemporalConnectionOptions {
  const address = temporalAddressOf(config);
  if (!config.temporalAddress) return { address };
  const tls: TLSConfig = {};
  if (config.temporalTlsClientCertPath && config.temporalTlsClientKeyPath) {
    tls.clientCertPair = {
      crt: readPem(config.temporalTlsClientCertPath, 'TEMPORAL_TLS_CLIENT_CERT_PATH'),
      key: readPem(config.temporalTlsClientKeyPath, 'TEMPORAL_TLS_CLIENT_KEY_PATH'),
    };
  }
  if (config.temporalTlsServerCaCertPath) tls.serverRootCACertificate = readPem(config.temporalTlsServerCaCertPath, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH');
  if (config.temporalTlsServerName) tls.serverNameOverride = config.temporalTlsServerName;

  const customised = Object.keys(tls).length > 0;
  const enabled = config.temporalTls ?? (customised || config.temporalApiKey !== undefined);
  if (!enabled && customised) {
    throw new ConfigError('Invalid configuration: TEMPORAL_TLS is false but TLS certificates or a server name are set');
  }
  return {
    address,
    // An API key alone turns TLS on in the SDK; `false` here is the explicit opt-out (a plaintext proxy).
    tls: enabled ? tls : false,
    ...(config.temporalApiKey ? { apiKey: config.temporalApiKey } : {}),
  };
}

function readPem(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(`Invalid configuration: ${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
