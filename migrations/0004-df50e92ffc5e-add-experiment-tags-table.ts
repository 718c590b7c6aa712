/** df50e92ffc5e: the experiment_tags table. */
import { col, T, type Migration } from '../src/stores/sql/migrate/ddl.js';

const migration: Migration = {
  revision: 'df50e92ffc5e',
  downRevision: '181f10493468',
  slug: 'add-experiment-tags-table',
  async up({ ddl }) {
    await ddl.createTable({
      name: 'experiment_tags',
      columns: [
        col('key', T.varchar(250), { nullable: false }),
        col('value', T.varchar(5000)),
        col('experiment_id', T.integer, { nullable: false }),
      ],
      primaryKey: { name: 'experiment_tag_pk', columns: ['key', 'experiment_id'] },
      foreignKeys: [{ columns: ['experiment_id'], refTable: 'experiments', refColumns: ['experiment_id'] }],
    });
  },
};
export default migration;
