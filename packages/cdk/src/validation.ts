import { Token } from 'aws-cdk-lib';
import { InvalidEniPoolPropsError } from './errors';

/** A pool name: a tag value (at most 256 characters) without commas, which separate pools in ENI_POOL_POOLS. */
export function checkPoolName(value: string, property: string): void {
  if (Token.isUnresolved(value)) return;
  if (value.length === 0 || value.length > 256 || value.includes(',')) {
    throw new InvalidEniPoolPropsError(
      `${property} must be 1-256 characters without commas, got '${value}'`,
      property,
    );
  }
}

/** A tag key: 1–128 characters, not in the reserved `aws:` namespace. */
export function checkTagKey(value: string, property: string): void {
  if (value.length === 0 || value.length > 128 || value.toLowerCase().startsWith('aws:')) {
    throw new InvalidEniPoolPropsError(
      `${property} must be 1-128 characters and not start with 'aws:', got '${value}'`,
      property,
    );
  }
}

/** A lifecycle hook prefix that leaves room for `-terminate` in a 255-character hook name. */
export function checkHookPrefix(value: string, property: string): void {
  if (!/^[A-Za-z0-9_/-]{1,200}$/.test(value)) {
    throw new InvalidEniPoolPropsError(
      `${property} must be 1-200 of the characters A-Z a-z 0-9 _ / -, got '${value}'`,
      property,
    );
  }
}

/** An integer within `[min, max]` (tokens pass: CloudFormation checks them). */
export function checkInteger(value: number, property: string, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidEniPoolPropsError(
      `${property} must be an integer from ${min} to ${max}, got ${value}`,
      property,
    );
  }
}
