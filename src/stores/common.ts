/**
 * Store behaviour that is the same for every implementation: ids, run names, the checks of
 * `create_run`, and merging a log batch's tags with a run name.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { MlfError } from '../lib/errors.js';
import { MLFLOW_RUN_NAME, type RunTag } from '../tracking/entities.js';

/** `uuid4().hex`: 32 lowercase hex characters (kept lowercase: MySQL's IN is case-insensitive). */
export function newRunId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}

/** A random 18-digit experiment id, as MLflow's file store makes them (`_generate_unique_integer_id`). */
export function newFileExperimentId(): string {
  const digits = BigInt('0x' + crypto.randomBytes(16).toString('hex')).toString().slice(-18);
  // MLflow strips leading zeros by going through int(); keep 18 digits by forcing a non-zero lead.
  return (digits[0] === '0' ? '1' + digits.slice(1) : digits).padStart(18, '1');
}

// MLflow's `_generate_random_name`: "<adjective>-<noun>-<0..999>", at most 20 characters.
const ADJECTIVES = [
  'abundant', 'agreeable', 'amazing', 'angry', 'auspicious', 'awesome', 'bald', 'beautiful', 'bedecked',
  'big', 'bittersweet', 'blushing', 'bold', 'bouncy', 'brawny', 'bright', 'burly', 'bustling', 'calm',
  'capable', 'carefree', 'caring', 'casual', 'charming', 'chill', 'classy', 'clean', 'clumsy', 'colorful',
  'crawling', 'dapper', 'debonair', 'dashing', 'defiant', 'delicate', 'delightful', 'dazzling', 'efficient',
  'enchanting', 'entertaining', 'enthused', 'exultant', 'fearless', 'flawless', 'fortunate', 'fun',
  'funny', 'gaudy', 'gentle', 'gifted', 'glamorous', 'grandiose', 'gregarious', 'handsome', 'hilarious',
  'honorable', 'illustrious', 'incongruous', 'indecisive', 'industrious', 'intelligent', 'inquisitive',
  'intrigued', 'invincible', 'judicious', 'kindly', 'languid', 'learned', 'legendary', 'likeable',
  'loud', 'luminous', 'luxuriant', 'lyrical', 'magnificent', 'marvelous', 'masked', 'melodic', 'merciful',
  'mercurial', 'monumental', 'mysterious', 'nebulous', 'nervous', 'nimble', 'nosy', 'omniscient',
  'orderly', 'overjoyed', 'peaceful', 'painted', 'persistent', 'placid', 'polite', 'popular', 'powerful',
  'puzzled', 'rambunctious', 'rare', 'rebellious', 'respected', 'resilient', 'righteous', 'receptive',
  'redolent', 'resilient', 'rogue', 'rumbling', 'salty', 'sassy', 'secretive', 'selective', 'sedate',
  'serious', 'shivering', 'skillful', 'sincere', 'skittish', 'silent', 'smiling', 'sneaky', 'sophisticated',
  'spiffy', 'stately', 'suave', 'stylish', 'tasteful', 'thoughtful', 'thundering', 'traveling', 'treasured',
  'trusting', 'unequaled', 'upbeat', 'unique', 'unleashed', 'useful', 'upset', 'valuable', 'vaunted',
  'victorious', 'welcoming', 'whimsical', 'wistful', 'wise', 'worried', 'youthful', 'zealous',
];
const NOUNS = [
  'ant', 'ape', 'asp', 'auk', 'bass', 'bat', 'bear', 'bee', 'bird', 'boar', 'bug', 'calf', 'carp', 'cat',
  'chimp', 'cod', 'colt', 'conch', 'cow', 'crab', 'crane', 'croc', 'crow', 'cub', 'deer', 'doe', 'dog',
  'dolphin', 'donkey', 'dove', 'duck', 'eel', 'elk', 'fawn', 'finch', 'fish', 'flea', 'fly', 'foal',
  'fowl', 'fox', 'frog', 'gnat', 'gnu', 'goat', 'goose', 'grouse', 'grub', 'gull', 'hare', 'hawk', 'hen',
  'hog', 'horse', 'hound', 'jay', 'kit', 'kite', 'koi', 'lamb', 'lark', 'loon', 'lynx', 'mare', 'midge',
  'mink', 'mole', 'moose', 'moth', 'mouse', 'mule', 'newt', 'owl', 'ox', 'panda', 'penguin', 'perch',
  'pig', 'pug', 'quail', 'ram', 'rat', 'ray', 'robin', 'roo', 'rook', 'seal', 'shad', 'shark', 'sheep',
  'shoat', 'shrew', 'shrike', 'shrimp', 'skink', 'skunk', 'sloth', 'slug', 'smelt', 'snail', 'snake',
  'snipe', 'sow', 'sponge', 'squid', 'squirrel', 'stag', 'steed', 'stoat', 'stork', 'swan', 'tern', 'toad',
  'trout', 'turtle', 'vole', 'wasp', 'whale', 'wolf', 'worm', 'wren', 'yak', 'zebra',
];

export function generateRandomRunName(): string {
  for (;;) {
    const a = ADJECTIVES[crypto.randomInt(ADJECTIVES.length)]!;
    const n = NOUNS[crypto.randomInt(NOUNS.length)]!;
    const name = `${a}-${n}-${crypto.randomInt(1000)}`;
    if (name.length <= 20) return name;
  }
}

/**
 * The run name `create_run` settles on, and the tags with `mlflow.runName` set to it.
 * A `run_name` and a different `mlflow.runName` tag is MLflow's INVALID_PARAMETER_VALUE.
 */
export function resolveRunName(runName: string | undefined, tags: RunTag[] = []): { runName: string; tags: RunTag[] } {
  const tagName = tags.find((t) => t.key === MLFLOW_RUN_NAME)?.value;
  if (runName && tagName !== undefined && runName !== tagName) {
    throw new MlfError(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${runName}', mlflow.runName='${tagName}').`,
      'INVALID_PARAMETER_VALUE',
    );
  }
  const name = runName || tagName || generateRandomRunName();
  const out = tags.filter((t) => t.key !== MLFLOW_RUN_NAME);
  out.push({ key: MLFLOW_RUN_NAME, value: name });
  return { runName: name, tags: out };
}

/** The user name MLflow records when none is given (`getpass.getuser()`). */
export function currentUser(): string {
  try {
    return process.env.LOGNAME || process.env.USER || process.env.LNAME || process.env.USERNAME || os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Join a URI or path and a child, as MLflow's `append_to_uri_path` (no doubled slashes). */
export function appendToUri(base: string, ...parts: string[]): string {
  let out = base;
  for (const p of parts) out = out.replace(/\/+$/, '') + '/' + p.replace(/^\/+/, '');
  return out;
}

export const RUN_NOT_FOUND = (runId: string) => new MlfError(`Run with id=${runId} not found`, 'RESOURCE_DOES_NOT_EXIST');
export const EXPERIMENT_NOT_FOUND = (id: string) => new MlfError(`No Experiment with id=${id} exists`, 'RESOURCE_DOES_NOT_EXIST');

/**
 * Experiment 0 holds runs logged without an experiment; deleting it leaves clients nowhere to log.
 * MLflow's file store refuses it (its SQL store does not): every mlf store refuses it.
 */
export function refuseDefaultExperimentDelete(experimentId: string): void {
  if (String(experimentId) === '0') {
    throw new MlfError(
      "Cannot delete the default experiment '0'. This is an internally reserved experiment.",
      'INVALID_PARAMETER_VALUE',
    );
  }
}

/** MLflow's REST API has no hard delete: gc must reach the server's backend store itself. */
export function noHardDeleteError(displayUri: string): MlfError {
  return new MlfError(
    `Cannot permanently delete runs or experiments through the tracking server at '${displayUri}': MLflow's REST API has no hard delete. Run gc with direct access to the backend store (mlf gc --backend-store-uri <the server's database URI or mlruns folder>).`,
    'FEATURE_DISABLED',
  );
}

/** Order entities by key (how MLflow returns params, metrics and tags). */
export function byKey<T extends { key: string }>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Last value per key wins, first position kept (MLflow dedupes tags the same way). */
export function dedupeByKey<T extends { key: string }>(items: T[]): T[] {
  const m = new Map<string, T>();
  for (const it of items) m.set(it.key, it);
  return [...m.values()];
}
