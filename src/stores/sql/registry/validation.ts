/**
 * MLflow's registry checks (`mlflow/utils/validation.py`, `model_version_stages.py`), with its
 * messages. Key rules for tags are the tracking ones (src/tracking/validation.ts).
 */
import { pyRepr, pyStr } from '../../../tracking/py-format.js';
import { MlfError } from '../../../lib/errors.js';
import {
  exceedsMaximumLengthMessage,
  missingValueMessage,
  pyLen,
  validateKeyName,
} from '../../../tracking/validation.js';
import { ACTIVE_STAGES, ALL_STAGES, type RegistryTag } from '../../registry-store.js';

export const MAX_MODEL_REGISTRY_TAG_KEY_LENGTH = 250;
export const MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH = 5000;
export const MAX_REGISTERED_MODEL_ALIAS_LENGTH = 255;

const invalid = (message: string) => new MlfError(message, 'INVALID_PARAMETER_VALUE');

/** `_validate_model_name`: present and non-empty. */
export function validateModelName(name: unknown): string {
  if (name === null || name === undefined || name === '') throw invalid(missingValueMessage('name'));
  return String(name);
}

/** `_validate_model_renaming`. */
export function validateNewModelName(name: unknown): string {
  if (name === null || name === undefined || name === '') throw invalid(missingValueMessage('new_name'));
  return String(name);
}

/** `_validate_model_version`: what Python's `int(v)` accepts (surrounding blanks, a sign, `_` between digits). */
export function validateModelVersion(version: unknown): number {
  if (typeof version === 'number' && Number.isSafeInteger(version)) return version;
  const s = typeof version === 'string' ? version.trim() : null;
  if (s !== null && /^[+-]?\d+(?:_\d+)*$/.test(s)) {
    const n = Number(s.replace(/_/g, ''));
    if (Number.isSafeInteger(n)) return n;
  }
  throw invalid(`Parameter 'version' must be an integer, got '${pyStr(version)}'.`);
}

function checkLength(label: string, limit: number, value: string): void {
  if (value.length > limit && pyLen(value) > limit) throw invalid(exceedsMaximumLengthMessage(label, limit));
}

/** `_validate_registered_model_tag` / `_validate_model_version_tag`: key rules, key ≤ 250, value ≤ 5000. */
export function validateRegistryTag(tag: { key?: unknown; value?: unknown }): RegistryTag {
  const key = validateKeyName(tag?.key, 'tag', 'key');
  checkLength('key', MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, key);
  const value = tag?.value === null || tag?.value === undefined ? '' : String(tag.value);
  checkLength('value', MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, value);
  return { key, value };
}

/** `_validate_tag_name` for a key to delete. */
export function validateTagKey(key: unknown): string {
  return validateKeyName(key, 'tag', 'key');
}

const ALIAS_RE = /^[\p{L}\p{N}_-]*$/u;
const VERSION_ALIAS_RE = /^[vV]\d+$/;

/** `_validate_model_alias_name`. */
export function validateAliasName(alias: unknown): string {
  if (alias === null || alias === undefined || alias === '') throw invalid('Registered model alias name cannot be empty.');
  const a = String(alias);
  if (!ALIAS_RE.test(a)) {
    throw invalid(`Invalid alias name: '${a}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  checkLength('Registered model alias name', MAX_REGISTERED_MODEL_ALIAS_LENGTH, a);
  if (a.toLowerCase() === 'latest') throw invalid("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS_RE.test(a)) throw invalid(`Version alias name '${a}' is reserved.`);
  return a;
}

const CANONICAL_STAGES = new Map<string, string>(ALL_STAGES.map((s) => [s.toLowerCase(), s]));

/** `get_canonical_stage`: a stage name in any case → MLflow's spelling. */
export function canonicalStage(stage: string): string {
  const hit = CANONICAL_STAGES.get(String(stage).toLowerCase());
  if (!hit) throw invalid(`Invalid Model Version stage: ${stage}. Value must be one of ${ALL_STAGES.join(', ')}.`);
  return hit;
}

/** Refuses `archive_existing_versions` for a stage that is not Staging/Production (MLflow: no error code, a 500). */
export function checkArchivable(stage: string, archiveExistingVersions: boolean): string {
  const canonical = canonicalStage(stage);
  if (archiveExistingVersions && !(ACTIVE_STAGES as readonly string[]).includes(canonical)) {
    throw new MlfError(
      `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ${pyRepr([...ACTIVE_STAGES])}`,
      'INTERNAL_ERROR',
    );
  }
  return canonical;
}
