// Custom reports: a user's saved choice of columns, grouping, sorting and filters over call records.
// Frozen once landed: a later change is a new migration.
import { type Kysely, PostgresAdapter } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let table = db.schema.createTable('custom_reports');
  table = isPostgres
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await table
    // Exactly one of the two owners is set; `owner` ("user:12", "staff:3") makes names unique per owner
    // on both engines, where a unique index over two nullable columns would let duplicates through.
    .addColumn('portal_user_id', 'integer', (c) => c.references('portal_users.id').onDelete('cascade'))
    .addColumn('staff_id', 'integer', (c) => c.references('staff.id').onDelete('cascade'))
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('custom_reports_owner_name_uq')
    .on('custom_reports')
    .columns(['owner', 'name'])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('custom_reports').execute();
}
