import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createActivities } from '../../activities';
import { expandCommand, parseCommandTemplate } from '../../activities/providers/command-template';
import { ProviderSet } from '../../activities/providers/provider-set';
import { ConfigError, resolveConfig } from '../../src/config';

void test('the provider is chosen per phase: AGENT_PROVIDER, then AGENT_PROVIDER_<PHASE>', () => {
  const config = resolveConfig({}, { AGENT_PROVIDER: 'openai', AGENT_PROVIDER_QA: 'template', OPENAI_MODEL: 'm', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
  const providers = new ProviderSet(config);
  assert.deepEqual(
    (['pm', 'architect', 'engineer', 'qa'] as const).map((phase) => providers.forPhase(phase).name),
    ['openai', 'openai', 'openai', 'template'],
  );
  assert.equal(providers.codeIsModelWritten, true);
  assert.equal(new ProviderSet(resolveConfig({}, {})).codeIsModelWritten, false, 'the template default writes no model code');
});

void test('bad provider settings fail when the activities are built, naming every problem', () => {
  assert.throws(() => createActivities({}, { config: resolveConfig({}, { AGENT_PROVIDER: 'openai' }) }), (err: Error) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /OPENAI_MODEL is required/);
    assert.match(err.message, /OPENAI_API_KEY is required/);
    return true;
  });
  assert.throws(() => createActivities({}, { config: resolveConfig({}, { AGENT_PROVIDER_ENGINEER: 'command' }) }), /AGENT_COMMAND is not set/);
  assert.throws(
    () => createActivities({}, { config: resolveConfig({}, { AGENT_PROVIDER_ENGINEER: 'command', AGENT_COMMAND: 'agent {prd}', AGENT_COMMAND_ENV: 'TEMPORAL_ADDRESS' }) }),
    /may not pass TEMPORAL_ADDRESS/,
  );
  assert.throws(() => createActivities({}, { config: resolveConfig({}, { AGENT_PROVIDER_ENGINEER: 'command', AGENT_COMMAND: 'agent {nope}' }) }), /unknown placeholder \{nope\}/);
  assert.throws(() => createActivities({}, { config: resolveConfig({}, { QA_TEST_COMMAND: 'pytest "-k x' }) }), /QA_TEST_COMMAND has an unterminated quote/);
  assert.equal(resolveConfig({}, { QA_TEST_COMMAND: '' }).qaTestCommand, undefined, "empty (compose's default) is unset: each project's own command");
  assert.throws(() => resolveConfig({}, { AGENT_PROVIDER: 'gpt' }), /AGENT_PROVIDER/);
  assert.throws(() => resolveConfig({}, { RUN_SANDBOX: 'docker' }), /RUN_SANDBOX/);
});

void test('command templates split like a shell line without a shell, or come as a JSON array', () => {
  assert.deepEqual(parseCommandTemplate(`my-agent --prd {prd} --msg "two words" 'it''s' a\\ b`), ['my-agent', '--prd', '{prd}', '--msg', 'two words', 'its', 'a b']);
  assert.deepEqual(parseCommandTemplate('["agent", "--spec={spec}"]'), ['agent', '--spec={spec}']);
  assert.throws(() => parseCommandTemplate('agent "open'), /unterminated quote/);
  const expanded = expandCommand(['agent', '--spec={spec}', '{mission}'], {
    work_dir: '/w',
    prd: '/w/docs/PRD.md',
    spec: '/w/docs/TECH_SPEC.md',
    feedback: '/w/docs/FEEDBACK.md',
    bug_report: '',
    mission: 'Build $(rm -rf /); echo',
  });
  assert.deepEqual(expanded, ['agent', '--spec=/w/docs/TECH_SPEC.md', 'Build $(rm -rf /); echo'], 'values stay single arguments');
});

void test('an openai request must time out before the phase that makes it', () => {
  const openai = { OPENAI_MODEL: 'm', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
  const defaults = resolveConfig({}, { AGENT_PROVIDER: 'openai', ...openai });
  assert.ok(defaults.openaiTimeoutSeconds < defaults.pmTimeoutSeconds, 'the defaults are consistent');
  assert.doesNotThrow(() => new ProviderSet(defaults));
  assert.throws(
    () => createActivities({}, { config: resolveConfig({}, { AGENT_PROVIDER: 'openai', OPENAI_TIMEOUT_SECONDS: '600', ...openai }) }),
    (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /OPENAI_TIMEOUT_SECONDS \(600\) must be below PM_TIMEOUT_SECONDS \(600\), the timeout of the pm phase/);
      assert.match(err.message, /must be below ARCHITECT_TIMEOUT_SECONDS \(600\)/);
      assert.doesNotMatch(err.message, /ENGINEER_TIMEOUT_SECONDS|QA_TIMEOUT_SECONDS/);
      return true;
    },
  );
  const engineerOnly = { AGENT_PROVIDER_ENGINEER: 'openai', OPENAI_TIMEOUT_SECONDS: '900', PM_TIMEOUT_SECONDS: '60', ...openai };
  assert.doesNotThrow(() => new ProviderSet(resolveConfig({}, engineerOnly)), 'only phases that use openai are checked');
  assert.throws(() => new ProviderSet(resolveConfig({}, { ...engineerOnly, ENGINEER_TIMEOUT_SECONDS: '900' })), /OPENAI_TIMEOUT_SECONDS \(900\) must be below ENGINEER_TIMEOUT_SECONDS \(900\)/);
});

void test('an agent command must time out before the engineer phase that runs it', () => {
  const command = { AGENT_PROVIDER_ENGINEER: 'command', AGENT_COMMAND: 'agent {prd}' };
  const defaults = resolveConfig({}, command);
  assert.ok(defaults.agentCommandTimeoutSeconds < defaults.engineerTimeoutSeconds, 'the defaults are consistent');
  assert.doesNotThrow(() => new ProviderSet(defaults));
  assert.throws(
    () => new ProviderSet(resolveConfig({}, { ...command, AGENT_COMMAND_TIMEOUT_SECONDS: '1800' })),
    /AGENT_COMMAND_TIMEOUT_SECONDS \(1800\) must be below ENGINEER_TIMEOUT_SECONDS \(1800\), the timeout of the engineer phase/,
  );
  assert.doesNotThrow(() => new ProviderSet(resolveConfig({}, { AGENT_COMMAND: 'agent {prd}', AGENT_COMMAND_TIMEOUT_SECONDS: '1800' })), 'only checked when the engineer uses it');
});
