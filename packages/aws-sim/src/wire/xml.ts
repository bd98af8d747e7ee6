/** Minimal XML building for the Query protocols: the simulator only ever writes XML, never reads it. */

export function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === "'" ? '&apos;' : '&quot;',
  );
}

/** A value to serialise: scalars become text, arrays need an item element name (see `list`). */
export type XmlValue = string | number | boolean | undefined | null | XmlNode;

/** Pre-rendered XML, so nested structures are not escaped twice. */
export class XmlNode {
  constructor(readonly xml: string) {}
}

/** `<name>value</name>`; undefined and null render nothing (the member is absent). */
export function el(name: string, value: XmlValue | readonly XmlValue[]): XmlNode {
  if (value === undefined || value === null) return new XmlNode('');
  if (Array.isArray(value)) return new XmlNode(`<${name}>${value.map(render).join('')}</${name}>`);
  return new XmlNode(`<${name}>${render(value as XmlValue)}</${name}>`);
}

/** `<wrapper><item>…</item>…</wrapper>`, as EC2 (`item`) and awsQuery (`member`) lists are written. */
export function list<T>(
  wrapper: string,
  itemName: string,
  items: readonly T[],
  each: (item: T) => XmlValue[],
): XmlNode {
  return new XmlNode(
    `<${wrapper}>${items.map((i) => `<${itemName}>${each(i).map(render).join('')}</${itemName}>`).join('')}</${wrapper}>`,
  );
}

/** Several members in sequence, without a wrapper. */
export function members(...values: XmlValue[]): XmlNode {
  return new XmlNode(values.map(render).join(''));
}

function render(value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (value instanceof XmlNode) return value.xml;
  return escapeXml(String(value));
}
