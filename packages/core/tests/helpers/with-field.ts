/** The `value` of `withField` that removes the field. */
export const REMOVE: unique symbol = Symbol('remove');

/**
 * A copy of `event` with the field at the dotted `path` set to `value`, or removed when `value` is
 * `REMOVE`. Path segments that hold a JSON string (an SNS `Message`) are edited inside the string.
 */
export function withField(
  event: Record<string, unknown>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  return setPath(structuredClone(event), path.split('.'), value);
}

export function withoutField(event: Record<string, unknown>, path: string): Record<string, unknown> {
  return withField(event, path, REMOVE);
}

function setPath(
  target: Record<string, unknown>,
  segments: string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = segments;
  if (head === undefined) return target;
  if (rest.length === 0) {
    if (value === REMOVE) delete target[head];
    else target[head] = value;
    return target;
  }
  const child = target[head];
  if (typeof child === 'string') {
    target[head] = JSON.stringify(setPath(JSON.parse(child) as Record<string, unknown>, rest, value));
  } else if (typeof child === 'object' && child !== null) {
    setPath(child as Record<string, unknown>, rest, value);
  } else {
    throw new Error(`withField: ${head} is not an object in this event`);
  }
  return target;
}
