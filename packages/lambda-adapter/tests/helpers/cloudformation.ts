import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';

export const TEMPLATE_PATH = fileURLToPath(new URL('../../cloudformation/eni-pool.yaml', import.meta.url));

/** The short-form intrinsic functions, read into their long JSON form (`!Ref X` → `{ Ref: 'X' }`). */
const FUNCTIONS = [
  'And',
  'Base64',
  'Cidr',
  'Condition',
  'Equals',
  'FindInMap',
  'GetAZs',
  'GetAtt',
  'If',
  'ImportValue',
  'Join',
  'Not',
  'Or',
  'Ref',
  'Select',
  'Split',
  'Sub',
];

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

const customTags: (ScalarTag | CollectionTag)[] = FUNCTIONS.flatMap((name): (ScalarTag | CollectionTag)[] => [
  {
    tag: `!${name}`,
    resolve: (value: string) =>
      name === 'GetAtt' ? { 'Fn::GetAtt': value.split('.', 2) } : { [longName(name)]: value },
  },
  {
    tag: `!${name}`,
    collection: 'seq',
    // biome-ignore lint/suspicious/noExplicitAny: the yaml node is converted to plain JSON here
    resolve: (seq: any) => ({ [longName(name)]: seq.toJSON() }),
  },
  {
    tag: `!${name}`,
    collection: 'map',
    // biome-ignore lint/suspicious/noExplicitAny: the yaml node is converted to plain JSON here
    resolve: (map: any) => ({ [longName(name)]: map.toJSON() }),
  },
]);

// biome-ignore lint/suspicious/noExplicitAny: templates are free-form JSON
export type Json = any;

export function parseTemplate(source: string): Json {
  return parse(source, { customTags, uniqueKeys: true });
}

export function loadTemplate(): Json {
  return parseTemplate(readFileSync(TEMPLATE_PATH, 'utf8'));
}

/**
 * Every concrete variant of a value: each `Fn::If` is expanded into both branches (an `AWS::NoValue`
 * branch becomes `undefined`), so a check over the variants covers every combination of conditions.
 */
export function variants(value: Json): Json[] {
  if (Array.isArray(value)) {
    return value.reduce<Json[][]>(
      (acc, item) =>
        acc.flatMap((prefix) => variants(item).map((v) => (v === undefined ? prefix : [...prefix, v]))),
      [[]],
    );
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Fn::If') {
      const [, whenTrue, whenFalse] = value['Fn::If'];
      return [...variants(whenTrue), ...variants(whenFalse)];
    }
    if (keys.length === 1 && keys[0] === 'Ref' && value.Ref === 'AWS::NoValue') return [undefined];
    return keys.reduce<Json[]>(
      (acc, key) =>
        acc.flatMap((partial) =>
          variants(value[key]).map((v) => (v === undefined ? partial : { ...partial, [key]: v })),
        ),
      [{}],
    );
  }
  return [value];
}
