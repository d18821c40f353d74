/**
 * The QA test command of the cluster's workers: the project's own `npm test`, after a check that fails until the
 * engineer has run a second time (its log line says it addressed the bug report: the single-shot engineer's
 * "addressing …", the loop's "starting from …"). So every session's first QA
 * iteration fails and the second passes, whichever attempt of QA runs it: a retried QA attempt gets the same
 * verdict, which a check on files QA itself writes would not give. The pattern's `[.]` keeps it from matching the
 * QA verdict line, which quotes this command.
 */
export const QA_FAILS_FIRST_ITERATION = `sh -c "grep -qE '(addressing|starting from) docs/BUG_REPORT[.]md' logs/session.log && npm test"`;
