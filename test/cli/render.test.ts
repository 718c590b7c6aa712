import { describe, expect, it } from 'vitest';
import { colorEnabled, csvField, formatDuration, formatMetric, formatTime, renderTable, renderer, toCsv } from '../../src/lib/render.js';

describe('colorEnabled', () => {
  it('colours a terminal, not a pipe', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
  });
  it('never colours under NO_COLOR, even with a terminal', () => {
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
  });
  it('honours FORCE_COLOR and TERM=dumb', () => {
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});

describe('renderTable', () => {
  it('aligns columns two spaces apart with no borders, escape codes or trailing spaces', () => {
    const out = renderTable(['ID', 'Name'], [['1', 'a'], ['22', null]]);
    expect(out).toBe('ID  Name\n1   a\n22');
    expect(out).not.toMatch(/\x1b\[/);
  });
  it('colours headers only when colour is on', () => {
    expect(renderer({ isTTY: true }, {}).table(['ID'], [['1']])).toMatch(/\x1b\[1mID/);
    expect(renderer({ isTTY: true }, { NO_COLOR: '1' }).table(['ID'], [['1']])).toBe('ID\n1');
    expect(renderer({ isTTY: false }, {}).status('FAILED')).toBe('FAILED');
  });
});

describe('CSV', () => {
  it('quotes commas, quotes, line breaks and edge spaces only', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' pad')).toBe('" pad"');
    expect(csvField(null)).toBe('');
  });
  it('writes a header and rows', () => {
    expect(toCsv(['a', 'b'], [[1, 'x,y']])).toBe('a,b\n1,"x,y"');
  });
});

describe('formatting', () => {
  it('formats times, durations and metric values', () => {
    expect(formatTime(null)).toBe('');
    expect(formatTime(new Date(2024, 0, 2, 3, 4, 5).getTime())).toBe('2024-01-02 03:04:05');
    expect(formatDuration(0, 1500)).toBe('1.5s');
    expect(formatDuration(0, 125_000)).toBe('2m 5s');
    expect(formatDuration(0, 7_500_000)).toBe('2h 5m');
    expect(formatDuration(0, null)).toBe('');
    expect(formatMetric(NaN)).toBe('NaN');
    expect(formatMetric(-Infinity)).toBe('-Infinity');
    expect(formatMetric(0.25)).toBe('0.25');
  });
});
