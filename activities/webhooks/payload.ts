import type { WebhookEvent } from '../../workflows/webhook-definitions';

/** How a webhook's body is shaped: the Standard Webhooks envelope, or a Slack-compatible message. */
export type WebhookFormat = 'standard' | 'slack';

/** Links to the session through the gateway and the dashboard, when `PUBLIC_BASE_URL` is set. */
export function sessionLinks(event: WebhookEvent): Record<string, string> | null {
  if (!event.publicBaseUrl) return null;
  const base = event.publicBaseUrl.replace(/\/+$/, '');
  const session = `${base}/sessions/${encodeURIComponent(event.sessionId)}`;
  return {
    dashboard: `${base}/#/sessions/${encodeURIComponent(event.sessionId)}`,
    session,
    prd: `${session}/artifacts/prd`,
    tech_spec: `${session}/artifacts/tech_spec`,
    scaffold: `${session}/artifacts/scaffold`,
    bug_report: `${session}/artifacts/bug_report`,
  };
}

/** The body of a delivery, as JSON text. */
export function webhookBody(event: WebhookEvent, format: WebhookFormat): string {
  const links = sessionLinks(event);
  if (format === 'slack') {
    const where = links ? ` <${links.dashboard}|Open it>` : '';
    const text = `*${event.type}* · ${event.status} in ${event.phase}${event.type.startsWith('review.') ? `, review round ${event.reviewRound}` : ''}: ${event.userMission}${event.reason ? ` (${event.reason})` : ''}.${where}`;
    return JSON.stringify({ text });
  }
  return JSON.stringify({
    type: event.type,
    timestamp: event.at,
    data: {
      session_id: event.sessionId,
      user_mission: event.userMission,
      project_name: event.projectName,
      status: event.status,
      current_phase: event.phase,
      review_round: event.reviewRound,
      iteration_count: event.iterationCount,
      reason: event.reason,
      links,
    },
  });
}
