import { pino, type DestinationStream, type Logger } from 'pino';
import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import type { LogMetadata } from '@temporalio/common';
import { maskSecrets, redactTokenShapes } from '../hubspot/redact.js';
import { SECRET_FIELDS } from '../shared/secret-fields.js';

const masking = { fields: SECRET_FIELDS };

/**
 * Every line is masked the way the codec endpoint masks payloads: fields named as secrets, and token-shaped text in
 * any field, error or message, at any depth.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hubspot-lead-sync' },
      formatters: { log: (fields) => maskSecrets(fields, masking) },
      serializers: { err: (err: Error) => maskSecrets({ ...pino.stdSerializers.err(err) }, masking) },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((arg: unknown) => (typeof arg === 'string' ? redactTokenShapes(arg) : arg));
          method.apply(this, masked as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/**
 * The SDK puts the activity's task token on every activity log line (`activityLogAttributes`). Whoever holds a task
 * token may complete or fail that activity through the API, and the activity id already names the task, so it is
 * dropped here, at every level.
 */
function withoutTaskToken(meta: LogMetadata | undefined): LogMetadata {
  return Object.fromEntries(Object.entries(meta ?? {}).filter(([key]) => key !== 'taskToken'));
}

/** Routes the Temporal SDK's and Core's logs (workflow `log`, activity `log`) through the same pino logger. */
export function temporalLogger(logger: Logger, level: LogLevel): DefaultLogger {
  return new DefaultLogger(level, (entry) => {
    const meta = { ...withoutTaskToken(entry.meta), sdk: true };
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
