/**
 * The file (or stdin) form of `mlf runs log --file`: params, metrics and tags in JSON or YAML.
 *
 * Two shapes are accepted, and may be mixed per section:
 * - maps, for people:
 *   ```yaml
 *   params: { lr: 0.01, optimizer: adam }
 *   metrics:
 *     accuracy: 0.91                # one value, at the default step
 *     loss: [0.9, 0.5, 0.3]         # a history: steps 0, 1, 2
 *     val_loss: [{ value: 0.4, step: 10, timestamp: 1700000000000 }]
 *   tags: { team: vision }
 *   ```
 * - MLflow's `runs/log-batch` body, for scripts: `{"metrics": [{"key", "value", "step", "timestamp"}], "params": [{"key", "value"}], "tags": [...]}`.
 *
 * JSON is parsed with `JSON.parse`; js-yaml is loaded only for YAML, so the common JSON case costs
 * nothing at start-up.
 */
import fs from 'node:fs';
import { MlfError } from '../lib/errors.js';
import type { Metric, Param, RunTag } from '../tracking/entities.js';
import { parseMetricValue, parseStep } from './kv.js';

export interface LogPayload {
  params: Param[];
  metrics: Metric[];
  tags: RunTag[];
}

export interface PayloadDefaults {
  /** Step for values that carry none (`--step`, else 0). */
  step: number;
  /** Timestamp (ms) for values that carry none. */
  timestamp: number;
}

const SECTIONS = new Set(['params', 'metrics', 'tags']);

function bad(source: string, why: string): MlfError {
  return new MlfError(`Invalid run-log input ${source}: ${why}`, 'INVALID_PARAMETER_VALUE', 2);
}

/** Read `path`, or all of stdin for `-`. */
export async function readPayloadText(path: string): Promise<string> {
  if (path !== '-') {
    try {
      return await fs.promises.readFile(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new MlfError(
        code === 'ENOENT' ? `No such file: '${path}'` : `Cannot read '${path}': ${(e as Error).message}`,
        'INVALID_PARAMETER_VALUE',
        2,
      );
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parse JSON or YAML text into a plain value. `.json` files must be JSON. */
export async function parsePayloadText(text: string, source: string, jsonOnly = false): Promise<unknown> {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (jsonOnly || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch (e) {
      // A YAML flow mapping also starts with '{' (`{lr: 0.1}`); only `.json` files are held to JSON.
      if (jsonOnly) throw bad(source, `not valid JSON (${(e as Error).message})`);
    }
  }
  const yaml = await import('js-yaml');
  try {
    return yaml.load(text, { filename: source });
  } catch (e) {
    const msg = (e as Error & { reason?: string }).reason ?? (e as Error).message.split('\n')[0];
    throw bad(source, `not valid JSON or YAML (${msg})`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A param or tag value as MLflow's Python client would store it (`str(value)`). */
function stringValue(v: unknown, what: string, source: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (typeof v === 'boolean') return v ? 'True' : 'False'; // Python's str(True)
  if (typeof v === 'bigint') return v.toString();
  throw bad(source, `${what} must be a string, a number or a boolean`);
}

function numberValue(v: unknown, key: string, source: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseMetricValue(v, key);
  throw bad(source, `metric '${key}' must be a number, a list of numbers or a list of {value, step, timestamp}`);
}

function timestampValue(v: unknown, key: string, source: string): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim()) && Number.isSafeInteger(Number(v))) return Number(v);
  throw bad(source, `timestamp of metric '${key}' must be a non-negative integer (ms)`);
}

function keyValues(section: unknown, name: 'params' | 'tags', source: string): Param[] {
  const what = name === 'params' ? 'param' : 'tag';
  if (section === undefined || section === null) return [];
  if (Array.isArray(section)) {
    return section.map((item, i) => {
      if (!isPlainObject(item) || typeof item.key !== 'string') throw bad(source, `${name}[${i}] must be {key, value}`);
      return { key: item.key, value: stringValue(item.value, `${what} '${item.key}'`, source) };
    });
  }
  if (!isPlainObject(section)) throw bad(source, `'${name}' must be a map of key: value or a list of {key, value}`);
  return Object.entries(section).map(([key, value]) => ({ key, value: stringValue(value, `${what} '${key}'`, source) }));
}

function metricPoint(key: string, item: unknown, index: number | undefined, d: PayloadDefaults, source: string): Metric {
  if (isPlainObject(item)) {
    if (!('value' in item)) throw bad(source, `metric '${key}' has a point without a value`);
    return {
      key,
      value: numberValue(item.value, key, source),
      step: item.step === undefined || item.step === null ? (index ?? d.step) : parseStep(item.step as string, `metric '${key}'`),
      timestamp: item.timestamp === undefined || item.timestamp === null ? d.timestamp : timestampValue(item.timestamp, key, source),
    };
  }
  return { key, value: numberValue(item, key, source), step: index ?? d.step, timestamp: d.timestamp };
}

function metrics(section: unknown, d: PayloadDefaults, source: string): Metric[] {
  if (section === undefined || section === null) return [];
  const out: Metric[] = [];
  if (Array.isArray(section)) {
    section.forEach((item, i) => {
      if (!isPlainObject(item) || typeof item.key !== 'string') throw bad(source, `metrics[${i}] must be {key, value, step, timestamp}`);
      out.push(metricPoint(item.key, item, undefined, d, source));
    });
    return out;
  }
  if (!isPlainObject(section)) throw bad(source, `'metrics' must be a map of key: value(s) or a list of {key, value, step, timestamp}`);
  for (const [key, v] of Object.entries(section)) {
    // A list is a history: points without a step take their position in the list as the step.
    if (Array.isArray(v)) v.forEach((item, i) => out.push(metricPoint(key, item, i, d, source)));
    else out.push(metricPoint(key, v, undefined, d, source));
  }
  return out;
}

/** Turn a parsed document into params, metrics and tags. Unknown top-level fields are refused (they are usually typos). */
export function payloadFromDocument(doc: unknown, d: PayloadDefaults, source: string): LogPayload {
  if (doc === undefined || doc === null) return { params: [], metrics: [], tags: [] };
  if (!isPlainObject(doc)) throw bad(source, 'expected a map with params, metrics and/or tags');
  for (const k of Object.keys(doc)) {
    if (!SECTIONS.has(k)) throw bad(source, `unknown field '${k}' (expected params, metrics, tags)`);
  }
  return {
    params: keyValues(doc.params, 'params', source),
    metrics: metrics(doc.metrics, d, source),
    tags: keyValues(doc.tags, 'tags', source),
  };
}

/** Read and parse a `--file` argument (`-` for stdin). */
export async function loadPayload(path: string, d: PayloadDefaults): Promise<LogPayload> {
  const source = path === '-' ? 'from stdin' : `'${path}'`;
  const text = await readPayloadText(path);
  const doc = await parsePayloadText(text, source, path.toLowerCase().endsWith('.json'));
  return payloadFromDocument(doc, d, source);
}
