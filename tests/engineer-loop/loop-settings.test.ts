import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, resolveConfig } from '../../src/config';

void test('the Engineer loop settings: defaults, overrides, and bad values named at start-up', () => {
  const defaults = resolveConfig({}, {});
  assert.deepEqual([defaults.agentMaxTurns, defaults.agentMinTurns, defaults.agentActionFormat, defaults.agentContextChars], [30, 1, 'json', 24_000]);
  const set = resolveConfig({}, { AGENT_MAX_TURNS: '12', AGENT_MIN_TURNS: '0', AGENT_ACTION_FORMAT: 'tools', AGENT_CONTEXT_CHARS: '100000' });
  assert.deepEqual([set.agentMaxTurns, set.agentMinTurns, set.agentActionFormat, set.agentContextChars], [12, 0, 'tools', 100_000]);
  const cases: [Record<string, string>, RegExp][] = [
    [{ AGENT_MAX_TURNS: '0' }, /AGENT_MAX_TURNS \(agentMaxTurns\)/],
    [{ AGENT_MAX_TURNS: 'many' }, /AGENT_MAX_TURNS/],
    [{ AGENT_MIN_TURNS: '-1' }, /AGENT_MIN_TURNS \(agentMinTurns\)/],
    [{ AGENT_MIN_TURNS: '30' }, /AGENT_MIN_TURNS must be below AGENT_MAX_TURNS/],
    [{ AGENT_MAX_TURNS: '3', AGENT_MIN_TURNS: '3' }, /AGENT_MIN_TURNS must be below AGENT_MAX_TURNS/],
    [{ AGENT_ACTION_FORMAT: 'xml' }, /AGENT_ACTION_FORMAT \(agentActionFormat\)/],
    [{ AGENT_CONTEXT_CHARS: '100' }, /AGENT_CONTEXT_CHARS \(agentContextChars\)/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => resolveConfig({}, env), (err: Error) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
});
