import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionWorkflowInput } from '../../workflows/definitions';
import { reviewMarks, reviewWaitSeconds } from '../../workflows/review-marks';
import { applyApproval, applyRejection, createInitialState, end, startPhase } from '../../workflows/session-state';
import { SessionStatus } from '../../workflows/definitions';

const input: SessionWorkflowInput = { sessionId: 'sess_marks', userMission: 'm', projectName: null, workDir: '/tmp/sess_marks', maxIterations: 3, reviewTimeoutMs: 1000 };
const at = (seconds: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();

describe('review marks and time waited (pure)', () => {
  test('one mark per decision, rejections numbered per target; the wait sums the decided rounds', () => {
    const state = createInitialState(input, at(0));
    assert.deepEqual(reviewMarks(state), []);
    startPhase(state, 'review', at(10));
    applyRejection(state, { feedback: 'a', rejectTo: 'pm' }, 'update', at(15));
    startPhase(state, 'review', at(20));
    applyRejection(state, { feedback: 'b' }, 'update', at(30));
    startPhase(state, 'review', at(40));
    assert.equal(reviewWaitSeconds(state), 15, 'the open round counts once it closes');
    applyRejection(state, { feedback: 'c', rejectTo: 'pm' }, 'signal', at(41));
    startPhase(state, 'review', at(50));
    applyApproval(state, { by: 'x' }, 'update', at(53));
    assert.deepEqual(reviewMarks(state), ['rejected:pm:1', 'rejected:architect:1', 'rejected:pm:2', 'approved']);
    assert.equal(reviewWaitSeconds(state), 5 + 10 + 1 + 3);
  });

  test('a session that ends in review waited until its end', () => {
    const state = createInitialState(input, at(0));
    startPhase(state, 'review', at(5));
    end(state, SessionStatus.EXPIRED, 'no decision', at(65));
    assert.equal(reviewWaitSeconds(state), 60);
    assert.deepEqual(reviewMarks(state), []);
  });
});
