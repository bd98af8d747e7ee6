import { InvalidEventPatternError } from './errors';

/** One allowed value of an EventBridge pattern leaf: an exact value or a content filter. */
export type PatternMatcher =
  | string
  | number
  | boolean
  | null
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'anything-but': string | number | readonly (string | number)[] }
  | { readonly exists: boolean };

/**
 * An EventBridge event pattern: nested objects mirror the event, and each leaf is an array of allowed
 * values. A top-level key with dots (`'detail.state'`) is read as a path, for brevity.
 *
 * @example
 * ```ts
 * const pattern: EventPattern = {
 *   source: ['aws.ec2'],
 *   'detail-type': ['EC2 Instance State-change Notification'],
 *   detail: { state: ['running', 'stopped'] },
 * };
 * ```
 */
export interface EventPattern {
  readonly [field: string]: readonly PatternMatcher[] | EventPattern;
}

/** Checks a pattern's shape and returns it in nested form; throws {@link InvalidEventPatternError}. */
export function normalisePattern(pattern: unknown, path = ''): EventPattern {
  if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
    throw new InvalidEventPatternError(`event pattern ${path || '(root)'} must be an object`, path);
  }
  const nested: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pattern)) {
    const parts = path === '' ? key.split('.') : [key];
    let cursor = nested;
    for (const part of parts.slice(0, -1)) {
      const next = cursor[part];
      if (next !== undefined && (typeof next !== 'object' || Array.isArray(next))) {
        throw new InvalidEventPatternError(`event pattern field ${key} conflicts with another field`, key);
      }
      cursor[part] ??= {};
      cursor = cursor[part] as Record<string, unknown>;
    }
    const last = parts.at(-1) as string;
    if (last === '') throw new InvalidEventPatternError(`event pattern field "${key}" is empty`, key);
    cursor[last] = value;
  }
  const out: Record<string, readonly PatternMatcher[] | EventPattern> = {};
  for (const [key, value] of Object.entries(nested)) {
    const field = path ? `${path}.${key}` : key;
    if (Array.isArray(value)) {
      if (value.length === 0) {
        throw new InvalidEventPatternError(
          `event pattern field ${field} must list at least one value`,
          field,
        );
      }
      for (const matcher of value) validateMatcher(matcher, field);
      out[key] = value as PatternMatcher[];
    } else {
      out[key] = normalisePattern(value, field);
    }
  }
  return out;
}

function validateMatcher(matcher: unknown, field: string): void {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return;
  if (typeof matcher === 'object' && !Array.isArray(matcher)) {
    const keys = Object.keys(matcher);
    const [kind] = keys;
    const value = (matcher as Record<string, unknown>)[kind ?? ''];
    if (keys.length === 1) {
      if ((kind === 'prefix' || kind === 'suffix') && typeof value === 'string') return;
      if (kind === 'exists' && typeof value === 'boolean') return;
      if (kind === 'anything-but' && isScalarOrScalars(value)) return;
    }
  }
  throw new InvalidEventPatternError(
    `event pattern field ${field} has an unsupported matcher ${JSON.stringify(matcher)} (exact values, prefix, suffix, anything-but and exists are supported)`,
    field,
  );
}

function isScalarOrScalars(value: unknown): boolean {
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number';
  return scalar(value) || (Array.isArray(value) && value.length > 0 && value.every(scalar));
}

/** Whether `event` matches `pattern` (already normalised), with EventBridge semantics. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const record = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  for (const [key, expected] of Object.entries(pattern)) {
    const present = Object.hasOwn(record, key);
    const actual = record[key];
    if (Array.isArray(expected)) {
      if (!leafMatches(expected as readonly PatternMatcher[], present, actual)) return false;
    } else if (!present || !matchesPattern(expected as EventPattern, actual)) {
      return false;
    }
  }
  return true;
}

function leafMatches(matchers: readonly PatternMatcher[], present: boolean, actual: unknown): boolean {
  // An array in the event matches when any of its elements does.
  const values = Array.isArray(actual) ? actual : [actual];
  return matchers.some((matcher) => {
    if (matcher !== null && typeof matcher === 'object' && 'exists' in matcher) {
      return matcher.exists === (present && actual !== undefined);
    }
    if (!present) return false;
    return values.some((value) => valueMatches(matcher, value));
  });
}

function valueMatches(matcher: PatternMatcher, value: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return matcher === value;
  if ('prefix' in matcher) return typeof value === 'string' && value.startsWith(matcher.prefix);
  if ('suffix' in matcher) return typeof value === 'string' && value.endsWith(matcher.suffix);
  if ('anything-but' in matcher) {
    const excluded = matcher['anything-but'];
    const list: readonly (string | number)[] = Array.isArray(excluded)
      ? excluded
      : [excluded as string | number];
    return (typeof value === 'string' || typeof value === 'number') && !list.includes(value);
  }
  return false;
}
