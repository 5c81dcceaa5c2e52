import type { DataSource } from 'typeorm';

/** Whether the database answers, for /health. */
export class DatabaseHealth {
  constructor(private readonly ds: DataSource) {}

  get kind(): string {
    return this.ds.options.type;
  }

  /** Throws what the driver throws when the database does not answer. */
  async ping(): Promise<void> {
    await this.ds.query('SELECT 1');
  }
}
