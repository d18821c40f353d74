import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, resolveConfig } from '../../src/config';

void test('the Engineer loop settings: defaults, overrides, and bad values named at start-up', () => {
  const defaults = resolveConfig({}, {});
  assert.deepEqual([defaults.agentMaxTurns, defaults.agentMinTurns, defaults.agentActionFormat], [30, 1, 'json']);
  const set = resolveConfig({}, { AGENT_MAX_TURNS: '12', AGENT_MIN_TURNS: '0', AGENT_ACTION_FORMAT: 'tools' });
  assert.deepEqual([set.agentMaxTurns, set.agentMinTurns, set.agentActionFormat], [12, 0, 'tools']);
  const cases: [Record<string, string>, RegExp][] = [
    [{ AGENT_MAX_TURNS: '0' }, /AGENT_MAX_TURNS \(agentMaxTurns\)/],
    [{ AGENT_MAX_TURNS: 'many' }, /AGENT_MAX_TURNS/],
    [{ AGENT_MIN_TURNS: '-1' }, /AGENT_MIN_TURNS \(agentMinTurns\)/],
    [{ AGENT_MIN_TURNS: '30' }, /AGENT_MIN_TURNS must be below AGENT_MAX_TURNS/],
    [{ AGENT_MAX_TURNS: '3', AGENT_MIN_TURNS: '3' }, /AGENT_MIN_TURNS must be below AGENT_MAX_TURNS/],
    [{ AGENT_ACTION_FORMAT: 'xml' }, /AGENT_ACTION_FORMAT \(agentActionFormat\)/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => resolveConfig({}, env), (err: Error) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
});
