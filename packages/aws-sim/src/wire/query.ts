/**
 * Reads Query-protocol form bodies (EC2 Query and awsQuery): `Filter.1.Name`, `Filter.1.Value.2`,
 * `InstanceId.1` (EC2: `.N`), `Tags.member.1.Key` (awsQuery: `.member.N`).
 */
export class QueryParams {
  readonly params: URLSearchParams;

  constructor(body: string) {
    this.params = new URLSearchParams(body);
  }

  get action(): string {
    return this.params.get('Action') ?? '';
  }

  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  int(name: string): number | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    return Number.isInteger(n) ? n : Number.NaN;
  }

  bool(name: string): boolean | undefined {
    const raw = this.get(name);
    return raw === undefined ? undefined : raw === 'true';
  }

  /** Values of `prefix.1`, `prefix.2`, … (or `prefix.member.1`, … when `member` is true), in index order. */
  list(prefix: string, member = false): string[] {
    return this.indexed(prefix, member).map((i) => this.get(`${this.base(prefix, member)}${i}`) ?? '');
  }

  /** Sub-structure keys of `prefix.N.`: returns one accessor per index, in index order. */
  structs(prefix: string, member = false): QueryStruct[] {
    return this.indexed(prefix, member).map(
      (i) => new QueryStruct(this, `${this.base(prefix, member)}${i}.`),
    );
  }

  private base(prefix: string, member: boolean): string {
    return member ? `${prefix}.member.` : `${prefix}.`;
  }

  private indexed(prefix: string, member: boolean): number[] {
    const base = this.base(prefix, member);
    const seen = new Set<number>();
    for (const key of this.params.keys()) {
      if (!key.startsWith(base)) continue;
      const n = Number.parseInt(key.slice(base.length), 10);
      if (Number.isInteger(n) && n > 0) seen.add(n);
    }
    return [...seen].sort((a, b) => a - b);
  }
}

/** A view of `prefix.N.*` keys of a `QueryParams`. */
export class QueryStruct {
  constructor(
    private readonly query: QueryParams,
    private readonly prefix: string,
  ) {}

  get(name: string): string | undefined {
    return this.query.get(`${this.prefix}${name}`);
  }

  list(name: string, member = false): string[] {
    return this.query.list(`${this.prefix}${name}`, member);
  }

  structs(name: string, member = false): QueryStruct[] {
    return this.query.structs(`${this.prefix}${name}`, member);
  }
}
