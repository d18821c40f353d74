import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SessionStatus, type SessionWorkflowInput } from '../../workflows/definitions';
import {
  applyApproval,
  applyAuditEvent,
  applyBudgetExtension,
  applyQaResult,
  applyRejection,
  completePhase,
  type AuditState,
  createInitialState,
  decisionRefusal,
  INITIAL_AUDIT_STATE,
  pauseForBudget,
  rejectArgsProblem,
  startPhase,
} from '../../workflows/session-state';

const NOW = '2026-01-01T00:00:00.000Z';
const input: SessionWorkflowInput = {
  sessionId: 'sess_unit',
  userMission: 'mission',
  projectName: null,
  workDir: '/tmp/sess_unit',
  maxIterations: 2,
  reviewTimeoutMs: 1000,
};

function inReview() {
  const state = createInitialState(input, NOW);
  startPhase(state, 'review', NOW);
  return state;
}

describe('session state transitions (pure)', () => {
  test('a new session is pending in pm with nothing used', () => {
    const state = createInitialState(input, NOW);
    assert.equal(state.status, SessionStatus.PENDING);
    assert.equal(state.phase, 'pm');
    assert.equal(state.iterationCount, 0);
    assert.match(decisionRefusal(state) ?? '', /not awaiting approval/);
  });

  test('approval moves review to a running engineer', () => {
    const state = inReview();
    assert.equal(decisionRefusal(state), null);
    applyApproval(state, { by: 'bob' }, 'update', NOW);
    assert.equal(state.phase, 'engineer');
    assert.equal(state.status, SessionStatus.RUNNING);
    assert.ok(decisionRefusal(state), 'a second decision is refused');
  });

  test('rejection defaults to architect, trims and records the feedback', () => {
    const state = inReview();
    applyRejection(state, { feedback: '  add auth  ' }, 'signal', NOW);
    assert.equal(state.phase, 'architect');
    assert.equal(state.iterationCount, 1);
    assert.deepEqual(state.feedback, [{ feedback: 'add auth', rejectTo: 'architect', iteration: 1, at: NOW, by: null }]);
  });

  test('the rejection that would exceed maxIterations fails the session in review', () => {
    const state = inReview();
    state.iterationCount = 2;
    applyRejection(state, { feedback: 'again', rejectTo: 'pm' }, 'update', NOW);
    assert.equal(state.status, SessionStatus.FAILED);
    assert.equal(state.phase, 'review');
    assert.equal(state.iterationCount, 2);
    assert.match(state.failureReason ?? '', /2 of 2/);
  });

  test('QA: pass completes, failure returns to engineer, and the limit fails in qa', () => {
    const state = createInitialState(input, NOW);
    startPhase(state, 'qa', NOW);
    applyQaResult(state, { passed: false, summary: 'red', artifacts: [] }, NOW);
    assert.equal(state.phase, 'engineer');
    assert.equal(state.iterationCount, 1);
    startPhase(state, 'qa', NOW);
    applyQaResult(state, { passed: false, summary: 'red', artifacts: [] }, NOW);
    startPhase(state, 'qa', NOW);
    applyQaResult(state, { passed: false, summary: 'still red', artifacts: [] }, NOW);
    assert.equal(state.status, SessionStatus.FAILED);
    assert.equal(state.phase, 'qa');
    assert.equal(state.qaPassed, false);

    const passing = createInitialState(input, NOW);
    startPhase(passing, 'qa', NOW);
    applyQaResult(passing, { passed: true, summary: 'green', artifacts: [] }, NOW);
    assert.equal(passing.status, SessionStatus.COMPLETED);
    assert.equal(passing.phase, 'done');
    assert.equal(passing.qaPassed, true);
  });

  test('rejection arguments are checked', () => {
    assert.equal(rejectArgsProblem({ feedback: 'ok', rejectTo: 'pm' }), null);
    assert.match(rejectArgsProblem({ feedback: ' ' }) ?? '', /non-empty/);
    assert.match(rejectArgsProblem(undefined) ?? '', /non-empty/);
    assert.match(rejectArgsProblem({ feedback: 'ok', rejectTo: 'qa' as 'pm' }) ?? '', /reject_to/);
    assert.match(rejectArgsProblem({ feedback: 'x'.repeat(20_001) }) ?? '', /at most/);
  });

  test('the audit trail alone tells the status, phase and iteration the transitions left', () => {
    const state = createInitialState({ ...input, tokenBudget: 100 }, NOW, true);
    const fromTrail = (): AuditState => state.events.reduce(applyAuditEvent, INITIAL_AUDIT_STATE);
    const seen: string[] = [];
    /** After a decision or a QA verdict the workflow already points at the next phase; the trail shows it once it starts. */
    const check = (step: string, samePhase = true): void => {
      const view = fromTrail();
      seen.push(view.status);
      assert.equal(view.status, state.status, step);
      if (samePhase) assert.deepEqual([view.phase, view.iteration], [state.phase, state.iterationCount], step);
    };
    check('before any entry');
    for (const phase of ['pm', 'architect', 'review'] as const) {
      startPhase(state, phase, NOW);
      check(`entered ${phase}`);
    }
    applyRejection(state, { feedback: 'more', rejectTo: 'pm' }, 'update', NOW);
    check('rejected', false);
    for (const phase of ['pm', 'architect', 'review'] as const) {
      startPhase(state, phase, NOW);
      check(`entered ${phase} again`);
    }
    applyApproval(state, { by: 'ann' }, 'signal', NOW);
    check('approved', false);
    startPhase(state, 'engineer', NOW);
    check('entered engineer');
    pauseForBudget(state, NOW);
    check('paused');
    applyBudgetExtension(state, { addTokens: 50 }, NOW);
    check('resumed');
    startPhase(state, 'qa', NOW);
    applyQaResult(state, { passed: false, summary: 'red', artifacts: [] }, NOW);
    check('QA failed', false);
    startPhase(state, 'engineer', NOW);
    check('entered engineer after QA');
    startPhase(state, 'qa', NOW);
    applyQaResult(state, { passed: true, summary: 'green', artifacts: [] }, NOW);
    check('completed');
    assert.deepEqual(
      [...new Set(seen)],
      [SessionStatus.PENDING, SessionStatus.RUNNING, SessionStatus.AWAITING_APPROVAL, SessionStatus.PAUSED, SessionStatus.COMPLETED],
    );
  });
});

describe('phase order (pure)', () => {
  test('pm → architect → review, engineer → qa; QA and review move on through their outcomes only', () => {
    const state = createInitialState(input, NOW);
    const after = (phase: Parameters<typeof completePhase>[1]): string => {
      state.phase = phase;
      completePhase(state, phase);
      return state.phase;
    };
    assert.deepEqual(['pm', 'architect', 'engineer', 'qa', 'review'].map((phase) => after(phase as Parameters<typeof completePhase>[1])), ['architect', 'review', 'qa', 'qa', 'review']);
  });
});
