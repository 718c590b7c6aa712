import { describe, expect, it } from 'vitest';
import { MlfError } from '../../src/lib/errors.js';
import {
  likeToRegExp,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
} from '../../src/tracking/search/index.js';

function expectInvalid(fn: () => unknown, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(MlfError);
  expect((caught as MlfError).message).toBe(message);
  expect((caught as MlfError).errorCode).toBe('INVALID_PARAMETER_VALUE');
}

const METRIC_SET = "{'>', '>=', '!=', '=', '<', '<='}";
const PARAM_SET = "{'!=', '=', 'LIKE', 'ILIKE'}";
const STRING_ATTR_SET = "{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}";
const RUN_ATTR_KEYS =
  "{'artifact_uri', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id', 'created', 'Created', 'run name', 'Run name', 'Run Name'}";

describe('parseRunFilter: entities, aliases and values', () => {
  it('returns no comparisons for an empty or absent filter, and refuses one of only whitespace as MLflow does', () => {
    expect(parseRunFilter()).toEqual([]);
    expect(parseRunFilter('')).toEqual([]);
    expect(() => parseRunFilter('   ')).toThrow("Invalid filter '   '. Could not be parsed.");
    expect(() => parseRunFilter('\n')).toThrow('Could not be parsed.');
  });

  it.each([
    ['metric.acc > 0.5', 'metric'],
    ['metrics.acc > 0.5', 'metric'],
    ['param.acc = "x"', 'param'],
    ['params.acc = "x"', 'param'],
    ['parameter.acc = "x"', 'param'],
    ['parameters.acc = "x"', 'param'],
    ['tag.acc = "x"', 'tag'],
    ['tags.acc = "x"', 'tag'],
    ['`tags`.acc = "x"', 'tag'],
  ])('folds the entity prefix of %j to %s', (filter, type) => {
    expect(parseRunFilter(filter)[0]).toMatchObject({ type, key: 'acc' });
  });

  it.each([
    ['attribute.status = "FINISHED"', 'status'],
    ['attributes.status = "FINISHED"', 'status'],
    ['attr.status = "FINISHED"', 'status'],
    ['run.status = "FINISHED"', 'status'],
    ['status = "FINISHED"', 'status'],
    ['created > 5', 'start_time'],
    ['Created > 5', 'start_time'],
    ['attributes.created > 5', 'start_time'],
    ['`run name` = "x"', 'run_name'],
    ['`Run name` = "x"', 'run_name'],
    ['attributes.`Run Name` = "x"', 'run_name'],
    ['"run name" = "x"', 'run_name'],
    ['run_name = "x"', 'run_name'],
    ['user_id = "x"', 'user_id'],
    ['artifact_uri LIKE "s3://%"', 'artifact_uri'],
    ['end_time <= 10', 'end_time'],
  ])('folds attribute %j to key %s', (filter, key) => {
    expect(parseRunFilter(filter)[0]).toMatchObject({ type: 'attribute', key });
  });

  it.each([
    ['dataset.name = "d"', 'name'],
    ['datasets.digest = "abc"', 'digest'],
    ['dataset.context = "train"', 'context'],
  ])('parses dataset key in %j', (filter, key) => {
    expect(parseRunFilter(filter)[0]).toMatchObject({ type: 'dataset', key });
  });

  it('parses an AND-ed list with every comparator and value kind', () => {
    expect(
      parseRunFilter(
        "metrics.acc >= 0.9 and metrics.loss < -1e-3 AND params.lr != '0.1' And tags.team LIKE 'ml%' and tags.t ILIKE \"%X\" and run_id IN ('ab12', 'cd34') and run_id NOT IN ('ef')",
      ),
    ).toEqual([
      { type: 'metric', key: 'acc', comparator: '>=', value: 0.9 },
      { type: 'metric', key: 'loss', comparator: '<', value: -0.001 },
      { type: 'param', key: 'lr', comparator: '!=', value: '0.1' },
      { type: 'tag', key: 'team', comparator: 'LIKE', value: 'ml%' },
      { type: 'tag', key: 't', comparator: 'ILIKE', value: '%X' },
      { type: 'attribute', key: 'run_id', comparator: 'IN', value: ['ab12', 'cd34'] },
      { type: 'attribute', key: 'run_id', comparator: 'NOT IN', value: ['ef'] },
    ]);
  });

  it.each([
    ['metrics.a = 1', 1],
    ['metrics.a = -1', -1],
    ['metrics.a = 1.', 1],
    ['metrics.a = .5', 0.5],
    ['metrics.a = -.5', -0.5],
    ['metrics.a = 1e3', 1000],
    ['metrics.a=2E-2', 0.02],
    ['metrics.a>-1', -1],
  ])('reads the number in %j', (filter, value) => {
    expect(parseRunFilter(filter)[0]!.value).toBe(value);
  });

  it('upper-cases word comparators', () => {
    expect(parseRunFilter("params.a like 'x'")[0]!.comparator).toBe('LIKE');
    expect(parseRunFilter("params.a iLike 'x'")[0]!.comparator).toBe('ILIKE');
    expect(parseRunFilter("run_id in ('ab')")[0]!.comparator).toBe('IN');
    expect(parseRunFilter("run_id not in ('ab')")[0]!.comparator).toBe('NOT IN');
  });

  it.each([
    ['params.`my param` = "x"', 'my param'],
    ['params."my param" = "x"', 'my param'],
    ["params.'my param' = 'x'", 'my param'],
    ['tags.`mlflow.runName` = "x"', 'mlflow.runName'],
    ['tags."a.b" = "x"', 'a.b'],
    ['tags.mlflow.user = "x"', 'mlflow.user'],
    ['metrics.`val-loss` < 1', 'val-loss'],
    ['metrics.`train/loss` < 1', 'train/loss'],
    ['metrics.é > 1', 'é'],
    ['metrics.損失 > 1', '損失'],
    ['metrics.1a > 1', '1a'],
  ])('reads the quoted or Unicode key of %j', (filter, key) => {
    expect(parseRunFilter(filter)[0]!.key).toBe(key);
  });

  it('keeps string values as written between the quotes (no unescaping, as MLflow)', () => {
    expect(parseRunFilter("params.a = 'it''s'")[0]!.value).toBe("it''s");
    expect(parseRunFilter("params.a = 'x\\'y'")[0]!.value).toBe("x\\'y");
    expect(parseRunFilter('params.a = "a b"')[0]!.value).toBe('a b');
    expect(parseRunFilter("params.a = ''")[0]!.value).toBe('');
  });

  it('drops ids that are not lower case from IN lists, as MLflow does', () => {
    expect(parseRunFilter("run_id IN ('ab', 'CD', 'Ef', '123', 'x1')")[0]!.value).toEqual(['ab', 'x1']);
    expect(parseRunFilter("dataset.name IN ('a','B')")[0]!.value).toEqual(['a']);
  });

  it('unescapes list items as Python literals', () => {
    expect(parseRunFilter("run_id IN ('a\\'b', 'c''d')")[0]!.value).toEqual(["a'b", 'cd']);
  });

  it('accepts stray ANDs and comparisons without AND, as sqlparse-based MLflow does', () => {
    expect(parseRunFilter("params.a = 'x' and")).toHaveLength(1);
    expect(parseRunFilter("and params.a = 'x' and and params.b = 'y'")).toHaveLength(2);
    expect(parseRunFilter('metrics.a=1 metrics.b=2')).toHaveLength(2);
  });
});

describe('parseRunFilter: MLflow error messages', () => {
  it.each([
    ['metrics.a = 1 OR metrics.b = 2', "Invalid clause(s) in filter string: 'OR'"],
    ["tags.a = 'x' OR tags.b = 'y'", "Invalid clause(s) in filter string: 'OR'"],
    ['(metrics.a = 1)', "Invalid clause(s) in filter string: '(metrics.a = 1)'"],
    ["params.a = 'x' AND (params.b = 'y')", "Invalid clause(s) in filter string: '(params.b = 'y')'"],
    ['tags.a IS NULL', "Invalid clause(s) in filter string: 'tags.a', 'IS', 'NULL'"],
    ['metrics.a between 1 and 2', "Invalid clause(s) in filter string: 'metrics.a', 'between', '1', '2'"],
    ["params.a = 'unterminated", "Invalid clause(s) in filter string: 'params.a', '=', ''', 'unterminated'"],
    ["run_id IN 'ab'", "Invalid clause(s) in filter string: 'run_id', 'IN', ''ab''"],
    ["run_id NOT IN 'ab'", "Invalid clause(s) in filter string: 'run_id', 'NOT', 'IN', ''ab''"],
    ['params.a =', "Invalid clause(s) in filter string: 'params.a', '='"],
    ["= 'x'", "Invalid clause(s) in filter string: '=', ''x''"],
    ['metrics.a = true', "Invalid clause(s) in filter string: 'metrics.a', '=', 'true'"],
    ["tags.a = 'x' ; ", "Invalid clause(s) in filter string: ';'"],
    ['metrics.a = 1; metrics.b = 2', "Search filter contained multiple expression 'metrics.a = 1; metrics.b = 2'. Provide AND-ed expression list."],
    ['metrics.a = 1 ;; ', "Search filter contained multiple expression 'metrics.a = 1 ;; '. Provide AND-ed expression list."],
    ['1 = metrics.a', "Invalid comparison clause. Expected 'Identifier' found '1'"],
    ['metrics.val-loss > 1', "Invalid comparison clause. Expected 'Identifier' found 'metrics.val-loss'"],
  ])('refuses the grammar of %j', (filter, message) => {
    expectInvalid(() => parseRunFilter(filter), message);
  });

  it.each([
    ["bogus.x = 'y'", "Invalid entity type 'bogus'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"],
    ["`params.a` = 'x'", "Invalid entity type '`params'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"],
    ["foo = 'x'", `Invalid attribute key 'foo' specified. Valid keys are '${RUN_ATTR_KEYS}'`],
    ["attributes.lifecycle_stage = 'x'", `Invalid attribute key 'lifecycle_stage' specified. Valid keys are '${RUN_ATTR_KEYS}'`],
    ["dataset.foo = 'x'", "Invalid dataset key 'foo' specified. Valid keys are '{'name', 'digest', 'context'}'"],
  ])('refuses the identifier of %j', (filter, message) => {
    expectInvalid(() => parseRunFilter(filter), message);
  });

  it.each([
    ["metrics.a = 'x'", "Expected numeric value type for metric. Found 'x'"],
    ['metrics.a = abc', 'Expected numeric value type for metric. Found abc'],
    ['metrics.a = 1+2', 'Expected numeric value type for metric. Found 1+2'],
    ['metrics.a >= 1e+5', 'Expected numeric value type for metric. Found 1e+5'],
    ['metrics.a IN (1,2)', 'Expected numeric value type for metric. Found (1,2)'],
    ['params.a = 1', "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 1"],
    ["params.a = ('x')", "Expected a quoted string value for parameter (e.g. 'my-value'). Got value ('x')"],
    ['tags.t = null', "Expected a quoted string value for tag (e.g. 'my-value'). Got value null"],
    ['params.a = abc', 'Parameter value is either not quoted or unidentified quote types used for string value abc. Use either single or double quotes.'],
    ['params.a = `x`', 'Parameter value is either not quoted or unidentified quote types used for string value `x`. Use either single or double quotes.'],
    ["start_time = 'x'", "Expected numeric value type for numeric attribute: start_time. Found 'x'"],
    ["created > 'x'", "Expected numeric value type for numeric attribute: created. Found 'x'"],
    ['status = 5', 'Expected a quoted string value for attributes. Got value 5'],
    ['status = FINISHED', 'Parameter value is either not quoted or unidentified quote types used for string value FINISHED. Use either single or double quotes.'],
    ["status IN ('a')", "Only the 'run_id' attribute supports comparison with a list of quoted string values."],
    ["run_id = ('ab')", "Expected a quoted string value for attributes. Got value ('ab')"],
    ['dataset.name = 5', 'Expected a quoted string value for dataset attributes. Got value 5'],
    ['run_id IN ()', 'While parsing a list in the query, expected a non-empty list of string values, but got empty list'],
    ['run_id IN (1)', 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ['run_id IN ("a")', 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ["run_id IN ('a',)", 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ["run_id IN ('a' 'b')", 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ["run_id IN ('a',,'b')", 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.'],
    ["run_id IN ('a', 1)", "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)"],
    ['run_id IN ("ab", \'cd\')', 'While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ("ab", \'cd\')'],
  ])('refuses the value of %j', (filter, message) => {
    expectInvalid(() => parseRunFilter(filter), message);
  });

  it.each([
    ['metrics.a LIKE 5', `Invalid comparator 'LIKE' not one of '${METRIC_SET}`],
    ['metrics.a == 1', `Invalid comparator '==' not one of '${METRIC_SET}`],
    ['metrics.a <> 1', `Invalid comparator '<>' not one of '${METRIC_SET}`],
    ['metrics.a ~ 1', `Invalid comparator '~' not one of '${METRIC_SET}`],
    ["params.a > 'x'", `Invalid comparator '>' not one of '${PARAM_SET}'`],
    ["params.a NOT ILIKE 'x'", `Invalid comparator 'NOT ILIKE' not one of '${PARAM_SET}'`],
    ["tags.a > 'x'", `Invalid comparator '>' not one of '${PARAM_SET}`],
    ["status > 'x'", `Invalid comparator '>' not one of '${STRING_ATTR_SET}'`],
    ['start_time LIKE 5', `Invalid comparator 'LIKE' not one of '${STRING_ATTR_SET}`],
    ["dataset.name > 'x'", `Invalid comparator '>' not one of '${STRING_ATTR_SET}`],
  ])('refuses the comparator of %j with MLflow wording', (filter, message) => {
    expectInvalid(() => parseRunFilter(filter), message);
  });

  it('reports value errors of later clauses before comparator errors of earlier ones (MLflow order)', () => {
    expectInvalid(() => parseRunFilter("metrics.a LIKE 1 AND params.b = 2"), "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 2");
  });
});

describe('parseRunOrderBy', () => {
  it('returns nothing for an absent list', () => {
    expect(parseRunOrderBy()).toEqual([]);
    expect(parseRunOrderBy([])).toEqual([]);
  });
  it.each([
    ['metrics.acc', { type: 'metric', key: 'acc', ascending: true }],
    ['metrics.acc DESC', { type: 'metric', key: 'acc', ascending: false }],
    ['metrics.acc desc', { type: 'metric', key: 'acc', ascending: false }],
    ['params.lr ASC', { type: 'param', key: 'lr', ascending: true }],
    ['tags.`my tag` DESC', { type: 'tag', key: 'my tag', ascending: false }],
    ['params."a b"', { type: 'param', key: 'a b', ascending: true }],
    ['start_time', { type: 'attribute', key: 'start_time', ascending: true }],
    ['created DESC', { type: 'attribute', key: 'start_time', ascending: false }],
    ['attributes.Created', { type: 'attribute', key: 'start_time', ascending: true }],
    ['run_name', { type: 'attribute', key: 'run_name', ascending: true }],
    ['attribute.run_id DESC', { type: 'attribute', key: 'run_id', ascending: false }],
    ['  metrics.acc   DESC  ', { type: 'metric', key: 'acc', ascending: false }],
  ])('parses %j', (clause, expected) => {
    expect(parseRunOrderBy([clause])).toEqual([expected]);
  });
  it.each([
    ['metrics.a foo', "Invalid ordering key in order_by clause 'metrics.a foo'."],
    ['metrics.a DESC extra', "Invalid order_by clause 'metrics.a DESC extra'. Could not be parsed."],
    ['', "Invalid order_by clause ''. Could not be parsed."],
    ["'x'", "Invalid order_by clause ''x''. Could not be parsed."],
    ['metrics.a = 1', "Invalid order_by clause 'metrics.a = 1'. Could not be parsed."],
    ['bogus.a', "Invalid entity type 'bogus'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']"],
    [
      '`Run name`',
      "Invalid attribute key 'Run name' specified. Valid keys are '{'artifact_uri', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id', 'created', 'Created'}'",
    ],
    ['dataset.name', "Invalid identifier type 'dataset'"],
  ])('refuses %j', (clause, message) => {
    expectInvalid(() => parseRunOrderBy([clause]), message);
  });
  it('refuses a field named twice, after alias folding', () => {
    expectInvalid(() => parseRunOrderBy(['metrics.a', 'metrics.a DESC']), "`order_by` contains duplicate fields: ['metrics.a', 'metrics.a DESC']");
    expectInvalid(() => parseRunOrderBy(['created', 'start_time']), "`order_by` contains duplicate fields: ['created', 'start_time']");
  });
  it('allows the same key under different entity types', () => {
    expect(parseRunOrderBy(['params.a', 'metrics.a', 'tags.a'])).toHaveLength(3);
  });
});

describe('parseExperimentFilter and parseExperimentOrderBy', () => {
  it('parses attributes and tags', () => {
    expect(parseExperimentFilter("name LIKE 'a%' and tags.x = 'y' and attribute.creation_time > 5 AND last_update_time <= 9 and tag.`k k` ilike '%z'")).toEqual([
      { type: 'attribute', key: 'name', comparator: 'LIKE', value: 'a%' },
      { type: 'tag', key: 'x', comparator: '=', value: 'y' },
      { type: 'attribute', key: 'creation_time', comparator: '>', value: 5 },
      { type: 'attribute', key: 'last_update_time', comparator: '<=', value: 9 },
      { type: 'tag', key: 'k k', comparator: 'ILIKE', value: '%z' },
    ]);
  });
  it.each([
    ["metrics.a = 'x'", "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')"],
    ["attributes.name = 'x'", "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', 'tags')"],
    ["experiment_id = '1'", "Invalid attribute key 'experiment_id' specified. Valid keys are '{'name', 'creation_time', 'last_update_time'}'"],
    ["name = 'a' OR name = 'b'", 'Invalid clause(s) in filter string: OR'],
    ["name > 'a'", `Invalid comparator '>' not one of '${STRING_ATTR_SET}'`],
    ['creation_time LIKE 5', `Invalid comparator 'LIKE' not one of '${STRING_ATTR_SET}`],
    ["tags.a > 'x'", 'Invalid comparator for tag: >'],
    ["creation_time = 'x'", "Expected numeric value type for numeric attribute: creation_time. Found 'x'"],
    ['tags.a = 1', "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1"],
    ["name IN ('a')", "Only the 'run_id' attribute supports comparison with a list of quoted string values."],
  ])('refuses %j', (filter, message) => {
    expectInvalid(() => parseExperimentFilter(filter), message);
  });
  it('parses order_by keys', () => {
    expect(parseExperimentOrderBy(['name', 'experiment_id DESC', 'creation_time asc', 'last_update_time'])).toEqual([
      { type: 'attribute', key: 'name', ascending: true },
      { type: 'attribute', key: 'experiment_id', ascending: false },
      { type: 'attribute', key: 'creation_time', ascending: true },
      { type: 'attribute', key: 'last_update_time', ascending: true },
    ]);
  });
  it('refuses tags and unknown keys in order_by', () => {
    expectInvalid(() => parseExperimentOrderBy(['tags.a']), 'Invalid order_by entity: tag');
    expectInvalid(
      () => parseExperimentOrderBy(['lifecycle_stage']),
      "Invalid attribute key 'lifecycle_stage' specified. Valid keys are '{'name', 'experiment_id', 'creation_time', 'last_update_time'}'",
    );
  });
});

describe('likeToRegExp', () => {
  it.each([
    ['a%', 'abc', true],
    ['a%', 'bac', false],
    ['%c', 'abc', true],
    ['%b%', 'abc', true],
    ['a_c', 'abc', true],
    ['a_c', 'abbc', false],
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['%', '', true],
    ['_', '', false],
    ['a%', 'a\nb', true],
    ['a.c', 'abc', false],
    ['a.c', 'a.c', true],
    ['(x)+', '(x)+', true],
    ['(x)+', 'xx', false],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['a*b?', 'a*b?', true],
    ['^$|{}/\\\\', '^$|{}/\\', true],
    ['10\\%', '10%', true],
    ['10\\%', '100', false],
    ['a\\_b', 'a_b', true],
    ['a\\_b', 'axb', false],
    ['é%', 'été', true],
    ['_', '😀', true],
  ])('LIKE %j on %j → %s', (pattern, text, expected) => {
    expect(likeToRegExp(pattern, false).test(text)).toBe(expected);
  });
  it('is case-sensitive for LIKE and not for ILIKE', () => {
    expect(likeToRegExp('ABC%', false).test('abcd')).toBe(false);
    expect(likeToRegExp('ABC%', true).test('abcd')).toBe(true);
    expect(likeToRegExp('ÉTÉ', true).test('été')).toBe(true);
  });
});
