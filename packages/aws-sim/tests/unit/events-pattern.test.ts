import { describe, expect, it } from 'vitest';
import { createEvent } from '../../src/events/envelope';
import { InvalidEventPatternError } from '../../src/events/errors';
import { type EventPattern, matchesPattern, normalisePattern } from '../../src/events/pattern';

function stateChange(state: string, instanceId = 'i-0abc') {
  return createEvent({
    source: 'aws.ec2',
    detailType: 'EC2 Instance State-change Notification',
    detail: { 'instance-id': instanceId, state },
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
  });
}

const matches = (pattern: EventPattern, event: unknown) => matchesPattern(normalisePattern(pattern), event);

describe('matchesPattern', () => {
  it('matches on source and detail-type exact values', () => {
    const pattern = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] };
    expect(matches(pattern, stateChange('running'))).toBe(true);
    expect(matches({ source: ['aws.autoscaling'] }, stateChange('running'))).toBe(false);
  });

  it('matches nested detail fields against any of the listed values', () => {
    const pattern = { detail: { state: ['stopping', 'shutting-down', 'terminated'] } };
    expect(matches(pattern, stateChange('terminated'))).toBe(true);
    expect(matches(pattern, stateChange('running'))).toBe(false);
  });

  it('reads dotted top-level keys as paths', () => {
    expect(matches({ 'detail.state': ['running'] }, stateChange('running'))).toBe(true);
    expect(matches({ 'detail.state': ['running'] }, stateChange('pending'))).toBe(false);
  });

  it('matches an array field in the event when any element matches', () => {
    const pattern = { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0abc'] };
    expect(matches(pattern, stateChange('running', 'i-0abc'))).toBe(true);
    expect(matches(pattern, stateChange('running', 'i-0def'))).toBe(false);
  });

  it('supports prefix, suffix, anything-but and exists filters', () => {
    const event = stateChange('running', 'i-0abc');
    expect(matches({ detail: { 'instance-id': [{ prefix: 'i-0a' }] } }, event)).toBe(true);
    expect(matches({ detail: { 'instance-id': [{ suffix: 'bc' }] } }, event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['pending', 'running'] }] } }, event)).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': 'pending' }] } }, event)).toBe(true);
    expect(matches({ detail: { Origin: [{ exists: false }] } }, event)).toBe(true);
    expect(matches({ detail: { state: [{ exists: true }] } }, event)).toBe(true);
  });

  it('does not match when a required nested object is missing', () => {
    expect(matches({ detail: { state: ['running'] } }, { source: 'aws.ec2' })).toBe(false);
  });

  it('matches everything with the empty pattern', () => {
    expect(matches({}, stateChange('pending'))).toBe(true);
  });
});

describe('normalisePattern', () => {
  it.each([
    ['a leaf that is not a list', { source: 'aws.ec2' }, 'source'],
    ['an empty list', { detail: { state: [] } }, 'detail.state'],
    ['an unsupported matcher', { detail: { state: [{ numeric: ['>', 1] }] } }, 'detail.state'],
  ])('rejects %s with the field named', (_label, pattern, field) => {
    expect(() => normalisePattern(pattern)).toThrow(InvalidEventPatternError);
    try {
      normalisePattern(pattern);
    } catch (error) {
      expect((error as InvalidEventPatternError).field).toBe(field);
    }
  });
});
