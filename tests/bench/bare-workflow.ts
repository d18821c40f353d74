/**
 * The benchmark's yardstick: a session's shape and nothing else. Two no-op activities, one approval update with a
 * validator, two no-op activities; no search-attribute upserts, no log activities.
 */
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/** Approves the bare workflow; refused (by the validator) until the first two activities ran. */
export const bareApprove = defineUpdate<string>('approve');

/** Whether the bare workflow waits for approval (lets the benchmark prepare workflows in review). */
export const bareInReview = defineQuery<boolean>('inReview');

/** The bare workflow's activities. */
export interface BareActivities {
  step(name: string): Promise<string>;
}

const { step } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });

/** Two steps, wait for approval, two steps. */
export async function bareWorkflow(): Promise<string> {
  let inReview = false;
  let approved = false;
  setHandler(bareInReview, () => inReview && !approved);
  setHandler(
    bareApprove,
    () => {
      approved = true;
      return 'approved';
    },
    {
      validator: () => {
        if (!inReview || approved) throw new Error('not awaiting approval');
      },
    },
  );
  await step('pm');
  await step('architect');
  inReview = true;
  await condition(() => approved);
  await step('engineer');
  await step('qa');
  return 'done';
}
