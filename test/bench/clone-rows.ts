// Bulk setup for the scale bench: copies rows a real engine wrote (events, read-model rows) as new
// tenants, in one INSERT ... SELECT per batch, so 1,000,000 events or 100,000 tenants take seconds,
// not the hours the API would. In every text, jsonb and uuid column of a copy, `from` becomes `to`
// (the tenant id) and every UUID gets the copy's number in its first 8 hex digits, so ids that must
// be unique (event ids, key version ids) are, while references inside a copy still match.
import type pg from 'pg';

export interface CloneSpec {
  readonly table: string;
  /** Which rows to copy: a condition on alias `t`. */
  readonly where: string;
  /** Literal text replaced in each copy ($1 of the statement). */
  readonly from: string;
  /** SQL giving the replacement text for copy number `g`. */
  readonly to: string;
  /** Copy numbers, inclusive. */
  readonly first: number;
  readonly last: number;
  /** Column → SQL replacing the copied value (alias `t`, copy number `g`). */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Order of insertion (for events: keeps each stream's order). */
  readonly orderBy?: string;
}

const UUID = `'[0-9a-f]{8}(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})'`;

/** Inserts the copies; answers how many rows it inserted. */
export async function cloneRows(pool: pg.Pool, spec: CloneSpec): Promise<number> {
  const columns = await pool.query<{ column_name: string; data_type: string; is_identity: string }>(
    `select column_name, data_type, is_identity from information_schema.columns where table_name = $1 and table_schema = current_schema() order by ordinal_position`,
    [spec.table],
  );
  const names: string[] = [];
  const values: string[] = [];
  for (const c of columns.rows) {
    if (c.is_identity === 'YES') continue;
    names.push(c.column_name);
    const col = `t.${c.column_name}`;
    const rewrite = (text: string) => `regexp_replace(replace(${text}, $1, ${spec.to}), ${UUID}, lpad(to_hex(g), 8, '0') || '\\1', 'g')`;
    values.push(
      spec.overrides?.[c.column_name] ??
        (c.data_type === 'text'
          ? rewrite(col)
          : c.data_type === 'jsonb'
            ? `${rewrite(`${col}::text`)}::jsonb`
            : c.data_type === 'uuid'
              ? `${rewrite(`${col}::text`)}::uuid`
              : col),
    );
  }
  const res = await pool.query(
    `insert into ${spec.table} (${names.join(', ')})
     select ${values.join(', ')} from ${spec.table} t cross join generate_series($2::int, $3::int) g
      where ${spec.where} ${spec.orderBy ? `order by ${spec.orderBy}` : ''}`,
    [spec.from, spec.first, spec.last],
  );
  return res.rowCount ?? 0;
}
