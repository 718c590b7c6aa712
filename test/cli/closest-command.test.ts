import { describe, expect, it } from 'vitest';
import { closestCommand, editDistance } from '../../src/cli/closest-command.js';

const IDS = ['experiments:list', 'experiments:search', 'experiments:csv', 'runs:list', 'runs:log', 'artifacts:download', 'models:list', 'gc', 'db:upgrade'];

describe('closestCommand', () => {
  it('counts edits', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('suggests the nearest command for a typo, with spaces or colons', () => {
    expect(closestCommand('experiment lst', IDS)).toBe('experiments:list');
    expect(closestCommand('runs:lgo', IDS)).toBe('runs:log');
    expect(closestCommand('artifact download', IDS)).toBe('artifacts:download');
    expect(closestCommand('db upgarde', IDS)).toBe('db:upgrade');
  });

  it('suggests nothing for a word unlike any command', () => {
    expect(closestCommand('zzzzqq', IDS)).toBeUndefined();
    expect(closestCommand('', IDS)).toBeUndefined();
  });
});
