/**
 * The QA test command of the cluster's workers: the project's own `npm test`, after a check that fails until the
 * engineer has run a second time (its log line says it addressed the bug report). So every session's first QA
 * iteration fails and the second passes, whichever attempt of QA runs it: a retried QA attempt gets the same
 * verdict, which a check on files QA itself writes would not give. The pattern's `[.]` keeps it from matching the
 * QA verdict line, which quotes this command.
 */
export const QA_FAILS_FIRST_ITERATION = `sh -c "grep -q 'addressing docs/BUG_REPORT[.]md' logs/session.log && npm test"`;
