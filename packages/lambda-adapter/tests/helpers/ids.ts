/** A well-formed instance id (`i-` and 17 hex digits) for a small number. */
export function instanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

/** A lifecycle action token (8-4-4-4-12 hex) derived from the instance id. */
export function tokenFor(instanceId: string): string {
  const hex = instanceId.slice(2).padStart(32, '0').slice(-32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
