import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, resolveConfig } from '../../src/config';
import { Orchestrator } from '../../src/orchestration/orchestrator';
import { temporalConnectionOptions } from '../../src/temporal/connection-options';
import { sharedTestServer } from '../helpers/test-server';

const options = (env: Record<string, string>): ReturnType<typeof temporalConnectionOptions> => temporalConnectionOptions(resolveConfig({}, env));

/** A CA, and a server and a client certificate it signed (EC keys, one day), made with the openssl CLI. */
async function makeCertificates(dir: string): Promise<void> {
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=orchestrator test CA');
  for (const [name, usage, san] of [['server', 'serverAuth', 'DNS:temporal.test'], ['client', 'clientAuth', 'DNS:orchestrator']] as const) {
    openssl('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${san.slice(4)}`);
    await writeFile(path.join(dir, `${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=${usage}\nsubjectAltName=${san}\n`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  }
}

/** A TLS front for a plaintext Temporal frontend that requires a client certificate signed by the CA (mTLS). */
async function mtlsProxy(dir: string, upstream: string): Promise<{ address: string; close: () => Promise<void> }> {
  const [host = '127.0.0.1', port = '7233'] = upstream.split(':');
  const read = (file: string): Promise<Buffer> => readFile(path.join(dir, file));
  const server = tls.createServer(
    { key: await read('server.key'), cert: await read('server.crt'), ca: [await read('ca.crt')], requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] },
    (socket) => {
      const backend = net.connect(Number(port), host);
      socket.on('error', () => backend.destroy());
      backend.on('error', () => socket.destroy());
      socket.pipe(backend).pipe(socket);
    },
  );
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return { address: `127.0.0.1:${address.port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

void describe('connecting to an external cluster: TLS, mTLS and API keys', () => {
  void test('the embedded dev server never gets TLS; an API key alone turns TLS on; TEMPORAL_TLS=false turns it off', () => {
    assert.deepEqual(options({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'true' }), { address: '127.0.0.1:7233' });
    assert.deepEqual(options({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key' }), {
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {},
      apiKey: 'key',
    });
    assert.deepEqual(options({ TEMPORAL_ADDRESS: 'proxy:7233', TEMPORAL_API_KEY: 'key', TEMPORAL_TLS: 'false' }), { address: 'proxy:7233', tls: false, apiKey: 'key' });
    assert.deepEqual(options({ TEMPORAL_ADDRESS: 'temporal:7233' }), { address: 'temporal:7233', tls: false });
    assert.deepEqual(options({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_TLS: 'yes' }), { address: 'temporal:7233', tls: {} });
  });

  void test('bad TLS settings fail at start-up with a message naming the variable', () => {
    assert.throws(() => resolveConfig({}, { TEMPORAL_TLS_CLIENT_CERT_PATH: '/x.crt' }), (err: Error) => err instanceof ConfigError && /TEMPORAL_TLS_CLIENT_KEY_PATH/.test(err.message));
    assert.throws(() => options({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem' }), /TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/);
    assert.throws(() => options({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_NAME: 'x' }), /TEMPORAL_TLS is false/);
    assert.throws(() => resolveConfig({}, { TEMPORAL_TLS: 'maybe' }), /TEMPORAL_TLS \(temporalTls\)/);
  });

  void describe('through a TLS front that requires a client certificate, on the real dev server', () => {
    let dir: string;
    let proxy: Awaited<ReturnType<typeof mtlsProxy>>;
    let env: Record<string, string>;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'orchestrator-tls-'));
      await makeCertificates(dir);
      proxy = await mtlsProxy(dir, (await sharedTestServer()).address);
      env = {
        TEMPORAL_ADDRESS: proxy.address,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.crt'),
        TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
        TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.crt'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
      };
    });
    after(async () => {
      await proxy.close();
      await rm(dir, { recursive: true, force: true });
    });

    void test('the Orchestrator (client) and a worker connection (native) connect with the certificate and the server name', async () => {
      const orchestrator = new Orchestrator(resolveConfig({}, env));
      try {
        assert.ok(Array.isArray(await orchestrator.listSessions({ limit: 1 })));
      } finally {
        await orchestrator.close();
      }
      const native = await NativeConnection.connect(options(env));
      await native.close();
    });

    void test('without the client certificate the front refuses the connection', async () => {
      const { TEMPORAL_TLS_CLIENT_CERT_PATH: _cert, TEMPORAL_TLS_CLIENT_KEY_PATH: _key, ...serverOnly } = env;
      await assert.rejects(Connection.connect({ ...options(serverOnly), connectTimeout: 3_000 }));
    });
  });
});
