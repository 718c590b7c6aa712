/**
 * MLflow's search grammar for runs and experiments: parse once, then compile to SQL (SQL store)
 * or evaluate in memory (file store), with MLflow's page tokens.
 */
export type * from './ast.js';
export {
  likeToRegExp,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  translateKeyAlias,
} from './parse.js';
export { compareExperiments, compareRuns, experimentMatches, paginate, runMatches } from './evaluate.js';
export { decodePageToken, encodePageToken } from './page-token.js';
