import { pino, type Logger } from 'pino';
import { DefaultLogger, type LogLevel } from '@temporalio/worker';

/** Field names that may hold secrets anywhere in a log line; pino replaces their values. */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'token',
  '*.token',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'hubspot-lead-sync' } });
}

/** Routes the Temporal SDK's and Core's logs (workflow `log`, activity `log`) through the same pino logger. */
export function temporalLogger(logger: Logger, level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, (entry) => {
    const meta = { ...entry.meta, sdk: true };
    switch (entry.level) {
      case 'TRACE':
        return logger.trace(meta, entry.message);
      case 'DEBUG':
        return logger.debug(meta, entry.message);
      case 'INFO':
        return logger.info(meta, entry.message);
      case 'WARN':
        return logger.warn(meta, entry.message);
      case 'ERROR':
        return logger.error(meta, entry.message);
    }
  });
}
