import type { TokenUsage } from '../workflows/definitions';

/** Add up the usage of several calls (undefined when none had any); the model named is the first one’s. */
export function addUsage(...usages: (TokenUsage | undefined)[]): TokenUsage | undefined {
  const present = usages.filter((usage): usage is TokenUsage => usage !== undefined);
  if (present.length === 0) return undefined;
  return present.reduce((sum, usage) => ({
    promptTokens: sum.promptTokens + usage.promptTokens,
    completionTokens: sum.completionTokens + usage.completionTokens,
    totalTokens: sum.totalTokens + usage.totalTokens,
    requests: sum.requests + usage.requests,
    model: sum.model,
  }));
}
