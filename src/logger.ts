import pino from 'pino';
import type { LogLevel } from './config/log-level';

/**
 * The process logger: one JSON object per line on stdout, at `info` until the entry point sets the level its
 * configuration names (LOG_LEVEL, see {@link setLogLevel}).
 */
export const logger = pino({
  level: 'info',
  base: { service: 'ai-dev-orchestrator' },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: ['*.authorization', '*.apiKey', '*.token', 'req.headers.authorization'], censor: '[redacted]' },
});

/** Log from `level` on; each entry point calls it with the LOG_LEVEL its loadConfig validated. */
export function setLogLevel(level: LogLevel): void {
  logger.level = level;
}
