import { DataSource, type EntityManager } from 'typeorm';

/** Where a repository runs: the database (each statement on its own), or a transaction's manager. */
export type Db = DataSource | EntityManager;

export function managerOf(db: Db): EntityManager {
  return db instanceof DataSource ? db.manager : db;
}
