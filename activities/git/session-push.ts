import type { SessionRepo } from './session-repo';

/** Variables of the worker's environment a push may use (an SSH agent, a proxy, CA certificates); no others. */
export const PUSH_ENV = ['SSH_AUTH_SOCK', 'GIT_SSH_COMMAND', 'GIT_SSL_CAINFO', 'SSL_CERT_FILE', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'] as const;

/** `{project}` as it goes into a URL: the project name in lower case, runs of other characters as `-`. */
export function projectSlug(projectName: string | null): string {
  const slug = (projectName ?? '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 100);
  return slug || 'project';
}

/** The `GIT_PUSH_URL` template with the session's values in. */
export function expandPushUrl(template: string, sessionId: string, projectName: string | null): string {
  return template.replaceAll('{session_id}', sessionId).replaceAll('{project}', projectSlug(projectName));
}

/** A push URL as logs may show it: anything before an `@` in its authority is replaced. */
export function displayPushUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1[redacted]@').replace(/^[^/:@]+@/, '[redacted]@');
}

/** Push the session's branch and tags to the expanded `template`; the URL stays out of errors and logs. */
export async function pushSession(repo: SessionRepo, template: string, sessionId: string, projectName: string | null): Promise<string> {
  const url = expandPushUrl(template, sessionId, projectName);
  await repo.push(url, PUSH_ENV);
  return displayPushUrl(url);
}
