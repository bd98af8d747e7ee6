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

/** Parameter values of one deployment of a template; parameters left out take their `Default`. */
export type ParameterValues = Readonly<Record<string, string>>;

/**
 * The template as CloudFormation would deploy it with `parameters`: every condition evaluated, resources and
 * outputs whose condition is false dropped, each `Fn::If` replaced by its chosen branch and `AWS::NoValue`
 * removed. Refs to parameters stay, so the result can be included (`CfnInclude`) with the same values.
 */
export function resolveVariant(template: Json, parameters: ParameterValues = {}): Json {
  const declared: Record<string, Json> = template.Parameters ?? {};
  for (const name of Object.keys(parameters)) {
    if (!(name in declared)) throw new Error(`unknown parameter ${name}`);
  }
  const value = (name: string): string => {
    const given = parameters[name] ?? declared[name]?.Default;
    if (given === undefined) throw new Error(`parameter ${name} has no value and no default`);
    return String(given);
  };
  const conditions: Record<string, Json> = template.Conditions ?? {};
  const evaluated = new Map<string, boolean>();

  const scalar = (node: Json): string => {
    if (typeof node === 'string' || typeof node === 'number') return String(node);
    if (node && typeof node === 'object' && 'Ref' in node) return value(node.Ref);
    throw new Error(`cannot evaluate ${JSON.stringify(node)} in a condition`);
  };
  const truth = (node: Json): boolean => {
    if (node && typeof node === 'object') {
      if ('Condition' in node) return condition(node.Condition);
      if ('Fn::Equals' in node) return scalar(node['Fn::Equals'][0]) === scalar(node['Fn::Equals'][1]);
      if ('Fn::Not' in node) return !truth(node['Fn::Not'][0]);
      if ('Fn::And' in node) return node['Fn::And'].every(truth);
      if ('Fn::Or' in node) return node['Fn::Or'].some(truth);
    }
    throw new Error(`cannot evaluate condition ${JSON.stringify(node)}`);
  };
  const condition = (name: string): boolean => {
    const known = evaluated.get(name);
    if (known !== undefined) return known;
    if (!(name in conditions)) throw new Error(`unknown condition ${name}`);
    const result = truth(conditions[name]);
    evaluated.set(name, result);
    return result;
  };

  const NO_VALUE = Symbol('AWS::NoValue');
  const prune = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(prune).filter((item) => item !== NO_VALUE);
    if (node && typeof node === 'object') {
      const keys = Object.keys(node);
      if (keys.length === 1 && keys[0] === 'Fn::If') {
        const [name, whenTrue, whenFalse] = node['Fn::If'];
        return prune(condition(name) ? whenTrue : whenFalse);
      }
      if (keys.length === 1 && keys[0] === 'Ref' && node.Ref === 'AWS::NoValue') return NO_VALUE;
      const out: Record<string, Json> = {};
      for (const key of keys) {
        const pruned = prune(node[key]);
        if (pruned !== NO_VALUE) out[key] = pruned;
      }
      return out;
    }
    return node;
  };
  const kept = (section: Record<string, Json> | undefined) =>
    Object.fromEntries(
      Object.entries(section ?? {})
        .filter(([, entry]) => entry.Condition === undefined || condition(entry.Condition))
        .map(([name, entry]) => {
          const { Condition: _condition, ...rest } = entry;
          return [name, prune(rest)];
        }),
    );
  for (const name of Object.keys(conditions)) condition(name);
  const { Conditions: _conditions, Resources, Outputs, ...rest } = template;
  return { ...rest, Resources: kept(Resources), ...(Outputs ? { Outputs: kept(Outputs) } : {}) };
}

/** The value of each parameter in a deployment: the given one, else the parameter's `Default`. */
export function parameterValues(template: Json, parameters: ParameterValues = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Parameters ?? {}).flatMap(([name, declared]: [string, Json]) => {
      const value = parameters[name] ?? declared.Default;
      return value === undefined ? [] : [[name, String(value)]];
    }),
  );
}

/**
 * `node` with every `Ref` to a parameter or pseudo parameter replaced by its value and every `Fn::Sub` of
 * those expanded, as CloudFormation would; other intrinsics are left as they are.
 */
export function substitute(node: Json, values: Readonly<Record<string, string>>): Json {
  if (Array.isArray(node)) return node.map((item) => substitute(item, values));
  if (node && typeof node === 'object') {
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'Ref' && node.Ref in values) return values[node.Ref];
    if (keys.length === 1 && keys[0] === 'Fn::Sub' && typeof node['Fn::Sub'] === 'string') {
      const text: string = node['Fn::Sub'];
      const names = [...text.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1] as string);
      if (names.every((name) => name in values)) {
        return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => values[name] as string);
      }
      return node;
    }
    return Object.fromEntries(keys.map((key) => [key, substitute(node[key], values)]));
  }
  return node;
}
