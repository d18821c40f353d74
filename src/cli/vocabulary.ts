/**
 * The words of the session contract the CLI validates against. Kept here rather than imported from
 * workflows/definitions.ts, which loads the Temporal SDK and would slow every CLI start-up; a test checks
 * that both lists agree.
 */

/** Every session status, as the gateway spells it. */
export const STATUSES = ['pending', 'running', 'awaiting_approval', 'paused', 'completed', 'failed', 'expired', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];

/** Statuses a session never leaves. */
export const FINAL_STATUSES: readonly Status[] = ['completed', 'failed', 'expired', 'cancelled'];

/** Final statuses that are not a success. */
export const UNSUCCESSFUL_STATUSES: readonly Status[] = ['failed', 'expired', 'cancelled'];

/** Where a rejection may send a session back to. */
export const REJECT_TARGETS = ['pm', 'architect'] as const;

/** Artifacts a session produces, by name. */
export const ARTIFACT_NAMES = ['prd', 'tech_spec', 'scaffold', 'bug_report'] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];
