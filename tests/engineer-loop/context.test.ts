import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitContext } from '../../activities/engineer-loop/prompt';
import type { TranscriptMessage } from '../../activities/engineer-loop/transcript';

void test('the conversation keeps the opening and the latest whole turns that fit, and says how many it left out', () => {
  const opening: TranscriptMessage[] = [
    { role: 'system', content: 'system prompt' },
    { role: 'user', content: 'the documents' },
  ];
  const turn = (n: number): TranscriptMessage[] => [
    { role: 'assistant', content: null, toolCalls: [{ id: `call_${n}`, name: 'read_file', arguments: '{}' }] },
    { role: 'tool', toolCallId: `call_${n}`, content: `result ${n} `.repeat(50) },
  ];
  const turns = [1, 2, 3, 4, 5].map(turn);
  const all = fitContext(opening, turns, 1_000_000);
  assert.equal(all.length, 2 + 10, 'everything fits a large budget');
  const perTurn = JSON.stringify(turns[0]).length;
  const cut = fitContext(opening, turns, JSON.stringify(opening).length + 2 * perTurn + 10);
  assert.deepEqual(cut.slice(0, 2), opening);
  assert.match(JSON.stringify(cut[2]), /3 earlier turn\(s\) left out/);
  assert.deepEqual(cut.slice(3), [...turns[3]!, ...turns[4]!], 'the last two turns, each call with its answer');
  const tiny = fitContext(opening, turns, 10);
  assert.deepEqual(tiny.slice(-2), turns[4], 'the latest turn is always sent');
});
