/**
 * @module
 * The logging surface the core needs; runtimes supply the implementation (console on Node and Workers).
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

/** A logger writing one line per event to the console, dropping events below `level`. */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const emit = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < ORDER[level]) return
    const suffix = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields, errorReplacer)}` : ''
    const line = `${new Date().toISOString()} ${at.toUpperCase()} ${message}${suffix}`
    if (at === 'error' || at === 'warn') console.error(line)
    else console.log(line)
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, cause: value.cause }
  return value
}

/** A logger that discards everything, for tests. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
