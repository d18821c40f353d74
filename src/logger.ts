import pino from 'pino';

/** The process logger: one JSON object per line on stdout (`LOG_LEVEL`, default info). */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'ai-dev-orchestrator' },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: ['*.authorization', '*.apiKey', '*.token', 'req.headers.authorization'], censor: '[redacted]' },
});
