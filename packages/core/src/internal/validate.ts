import { ConfigurationError } from '../errors';

/**
 * The one option validator: each checks a value, and throws `ConfigurationError` naming the setting
 * with the value it got.
 */

/** A finite number > 0 (an integer with `integer`). */
export function positive(value: number, setting: string, integer = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new ConfigurationError(
      `${setting} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}`,
      setting,
    );
  }
  return value;
}

/** A finite number ≥ 0 (an integer with `integer`). */
export function nonNegative(value: number, setting: string, integer = false): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new ConfigurationError(
      integer
        ? `${setting} must be a non-negative integer, got ${String(value)}`
        : `${setting} must be a number ≥ 0, got ${String(value)}`,
      setting,
    );
  }
  return value;
}

/** A string of `min`–`max` characters after trimming. */
export function nonEmptyString(value: unknown, setting: string, max = 255): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new ConfigurationError(
      `${setting} must be a non-empty string of at most ${max} characters, got ${JSON.stringify(value)}`,
      setting,
    );
  }
  return value;
}

/** `true` or `false`. */
export function bool(value: unknown, setting: string): boolean {
  if (typeof value !== 'boolean') {
    throw new ConfigurationError(`${setting} must be true or false, got ${String(value)}`, setting);
  }
  return value;
}

/** One of `allowed`. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], setting: string): T {
  if (!allowed.includes(value as T)) {
    throw new ConfigurationError(
      `${setting} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${String(value)}'`,
      setting,
    );
  }
  return value as T;
}
