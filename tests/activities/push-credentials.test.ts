import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gitEnv } from '../../activities/git/git-command';
import { credentialsOutOfArgv } from '../../activities/git/session-repo';

test('a push URL’s user and password leave git’s command line for its environment, and git’s credential helper reads them there', () => {
  const { remote, helperArgs, extraEnv } = credentialsOutOfArgv('https://robot:s3cr%40t@git.example.com/acme/sess_x.git');
  assert.equal(remote, 'https://git.example.com/acme/sess_x.git');
  assert.ok(!helperArgs.join(' ').includes('s3cr'), 'no credential in argv');
  assert.deepEqual(extraEnv, { ORCHESTRATOR_PUSH_USERNAME: 'robot', ORCHESTRATOR_PUSH_PASSWORD: 's3cr@t' });

  // What git itself asks its helpers for a push to that host (a real git, with the environment a push gets).
  const gitDir = mkdtempSync(path.join(os.tmpdir(), 'orchestrator-cred-'));
  const filled = spawnSync('git', [...helperArgs, 'credential', 'fill'], {
    input: 'protocol=https\nhost=git.example.com\npath=acme/sess_x.git\n\n',
    env: gitEnv({ gitDir, extraEnv }),
    encoding: 'utf8',
  });
  assert.equal(filled.status, 0, filled.stderr);
  assert.match(filled.stdout, /^username=robot$/m);
  assert.match(filled.stdout, /^password=s3cr@t$/m);

  for (const plain of ['/srv/git/sess_x.git', 'git@host:acme/sess_x.git', 'https://git.example.com/acme.git']) {
    assert.deepEqual(credentialsOutOfArgv(plain), { remote: plain, helperArgs: [], extraEnv: {} });
  }
});
