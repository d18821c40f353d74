import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverChildEnv } from '../../src/temporal/server-child-env';

test('servers this process starts get what a program needs to run, and none of the orchestrator’s keys', () => {
  const env = serverChildEnv(
    { PYTHONUNBUFFERED: '1' },
    { PATH: '/usr/bin', HOME: '/root', OPENAI_API_KEY: 'sk-x', API_TOKEN: 't', WEBHOOK_SECRET: 'whsec_x', GIT_PUSH_URL: 'https://u:p@h/r', TEMPORAL_API_KEY: 'k' },
  );
  assert.deepEqual(env, { PATH: '/usr/bin', HOME: '/root', PYTHONUNBUFFERED: '1' });
});
