import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { placeholders } from '../data-source';

/**
 * Inserts and reads of the hot path without TypeORM's query builder. Its insert() reads the row
 * back for the columns the database fills (created_at), and on SQLite writes numbers into the
 * text of the statement, so each attempt count or duration was a statement of its own to prepare
 * (and pushed the prepared ones out of the cache). These build the statement once per shape, bind
 * every value, and turn values to and from the database with the driver's own conversions (JSON
 * columns, booleans, dates), so the rows are the same as TypeORM's.
 */

const statements = new Map<string, string>();

/** Many rows, one statement per 200; columns left undefined get the database's default. */
export async function insertRows<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  rows: T[],
): Promise<void> {
  const meta = m.connection.getMetadata(target);
  for (let k = 0; k < rows.length;) {
    // rows of the same shape go together (their undefined columns are the same)
    const columns = meta.columns.filter((c) => c.getEntityValue(rows[k]!) !== undefined);
    const shape = columns.map((c) => c.databaseName).join(',');
    let n = 1;
    while (n < 200 && k + n < rows.length && shapeOf(meta.columns, rows[k + n]!) === shape) n++;
    const batch = rows.slice(k, k + n);
    const key = `${m.connection.options.type} insert ${meta.tableName} ${shape} ${n}`;
    let sql = statements.get(key);
    if (!sql) {
      const marks = placeholders(m.connection, columns.length * n);
      const tuples = batch.map(
        (_, r) => `(${marks.slice(r * columns.length, (r + 1) * columns.length).join(', ')})`,
      );
      sql = `INSERT INTO "${meta.tableName}" (${columns.map((c) => `"${c.databaseName}"`).join(', ')}) VALUES ${tuples.join(', ')}`;
      statements.set(key, sql);
    }
    const driver = m.connection.driver;
    await m.query(
      sql,
      batch.flatMap((row) =>
        columns.map((c): unknown => driver.preparePersistentValue(c.getEntityValue(row), c) as unknown),
      ),
    );
    k += n;
  }
}

function shapeOf(columns: ColumnMetadata[], row: ObjectLiteral): string {
  return columns
    .filter((c) => c.getEntityValue(row) !== undefined)
    .map((c) => c.databaseName)
    .join(',');
}

/**
 * The rows where each named property equals its value, as entities (columns converted, no
 * relations), reading only `select` when given. One prepared statement per shape of the query.
 */
export async function selectRows<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  where: Partial<Record<keyof T & string, string | number>>,
  options: {
    /** Only these properties; else every column TypeORM selects by default. */
    select?: Array<keyof T & string>;
    /** Columns marked `select: false` (sealed secrets) to read as well. */
    hidden?: Array<keyof T & string>;
    limit?: number;
  } = {},
): Promise<T[]> {
  const meta = m.connection.getMetadata(target);
  const keys = Object.keys(where);
  const named = (c: ColumnMetadata, list?: string[]) => !!list?.includes(c.propertyName);
  const wanted = meta.columns.filter((c) =>
    options.select ? named(c, options.select) : c.isSelect || named(c, options.hidden),
  );
  const key = `${m.connection.options.type} select ${meta.tableName} ${keys.join(',')} ${wanted.map((c) => c.databaseName).join(',')} ${options.limit ?? ''}`;
  let sql = statements.get(key);
  if (!sql) {
    const marks = placeholders(m.connection, keys.length);
    const conditions = keys.map((p, i) => `"${columnOf(meta.columns, p).databaseName}" = ${marks[i]}`);
    sql = `SELECT ${wanted.map((c) => `"${c.databaseName}"`).join(', ')} FROM "${meta.tableName}" WHERE ${conditions.join(' AND ')}${options.limit ? ` LIMIT ${options.limit}` : ''}`;
    statements.set(key, sql);
  }
  const raw = await m.query<Array<Record<string, unknown>>>(
    sql,
    keys.map((p) => where[p as keyof T & string]),
  );
  return raw.map((r) => hydrate(m, meta, wanted, r));
}

/**
 * A row as an entity: these columns of it, read under `prefix` + their names, converted by the
 * driver. Not through the entity's constructor, which would draw a new id for nothing.
 */
export function hydrate<T extends ObjectLiteral>(
  m: EntityManager,
  meta: EntityMetadata,
  columns: ColumnMetadata[],
  row: Record<string, unknown>,
  prefix = '',
): T {
  const driver = m.connection.driver;
  const entity = Object.create((meta.target as { prototype: object }).prototype) as T;
  for (const c of columns)
    c.setEntityValue(entity, driver.prepareHydratedValue(row[prefix + c.databaseName], c));
  return entity;
}

function columnOf(columns: ColumnMetadata[], property: string): ColumnMetadata {
  const c = columns.find((col) => col.propertyName === property);
  if (!c) throw new Error(`no column for ${property}`);
  return c;
}

/** The rows of an UPDATE … RETURNING: the Postgres driver answers [rows, affected], SQLite the rows. */
export function returned<R = Record<string, unknown>>(result: unknown): R[] {
  const list = result as unknown[];
  return (Array.isArray(list[0]) ? list[0] : list) as R[];
}

/**
 * Sets these properties on the rows where each `where` property equals its value (or is one of a
 * list), with the update-date column set to now, as TypeORM's update() does; how many rows it
 * changed. One prepared statement per shape. An empty list matches no row: 0, and no statement.
 */
export async function updateRows<T extends ObjectLiteral>(
  m: EntityManager,
  target: EntityTarget<T>,
  where: Partial<Record<keyof T & string, string | readonly string[]>>,
  fields: Partial<T>,
): Promise<number> {
  const meta = m.connection.getMetadata(target);
  const sets = meta.columns.filter((c) => c.getEntityValue(fields) !== undefined);
  const keys = Object.keys(where) as Array<keyof T & string>;
  // `IN ()` is no SQL, and a list's size 0 would be taken for a single value bound from nothing
  if (keys.some((k) => typeof where[k] !== 'string' && !where[k]!.length)) return 0;
  const sizes = keys.map((k) => {
    const v = where[k];
    return typeof v === 'string' ? 0 : v!.length;
  });
  const key = `${m.connection.options.type} update ${meta.tableName} ${sets.map((c) => c.databaseName).join(',')} ${keys.join(',')} ${sizes.join(',')}`;
  let sql = statements.get(key);
  if (!sql) {
    const marks = placeholders(m.connection, sets.length + sizes.reduce((n, s) => n + Math.max(s, 1), 0));
    let at = 0;
    const assignments = sets.map((c) => `"${c.databaseName}" = ${marks[at++]}`);
    const stamp = meta.updateDateColumn;
    if (stamp && !sets.includes(stamp)) assignments.push(`"${stamp.databaseName}" = CURRENT_TIMESTAMP`);
    const conditions = keys.map((k, i) => {
      const column = `"${columnOf(meta.columns, k).databaseName}"`;
      if (!sizes[i]) return `${column} = ${marks[at++]}`;
      return `${column} IN (${marks.slice(at, (at += sizes[i])).join(', ')})`;
    });
    const id = meta.primaryColumns[0]!.databaseName;
    sql = `UPDATE "${meta.tableName}" SET ${assignments.join(', ')} WHERE ${conditions.join(' AND ')} RETURNING "${id}"`;
    statements.set(key, sql);
  }
  const driver = m.connection.driver;
  const rows = await m.query<unknown>(sql, [
    ...sets.map((c): unknown => driver.preparePersistentValue(c.getEntityValue(fields), c) as unknown),
    ...keys.flatMap((k) => where[k]!),
  ]);
  return returned(rows).length;
}
