import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalWhen, whenSyntaxError } from '../../../src/playbook/when.js';
import { ValidationError } from '../../../src/errors.js';

const vars = {
  tuning_profile: 'latency',
  facts: { numaNodes: [0, 1], cpusOnline: [0, 1, 2, 3], kernel: '6.1.0-18-amd64' },
  ports: ['Ethernet0', 'Ethernet4'],
  count: 3,
  enabled: true,
  empty: [],
  nothing: null,
  lazy: '{{ tuning_profile }}',
  '-e_string': '4',
};

test('comparisons, boolean logic, membership, filters and tests', () => {
  const cases: [string, boolean][] = [
    ["tuning_profile == 'latency'", true],
    ["tuning_profile != 'latency'", false],
    ['facts.numaNodes | length > 1', true],
    ['facts.cpusOnline | length >= 8', false],
    ['x is defined', false],
    ['x is not defined', true],
    ['facts.missing is undefined', true],
    ['not enabled', false],
    ['enabled and (count > 5 or tuning_profile == "latency")', true],
    ["'Ethernet4' in ports", true],
    ["'Ethernet8' not in ports", true],
    ["'6.1' in facts.kernel", true],
    ['empty', false],
    ['nothing is none', true],
    ['x | default(2) == 2', true],
    ["missing | default('') == ''", true],
    ['count * 2 - 1 == 5', true],
    ['facts.numaNodes[1] == 1', true],
    ["facts['numaNodes'] | first == 0", true],
    ['"4" | int > 3', true],
    ['lazy == "latency"', true],
    ['True', true],
    ['{{ count == 3 }}', true],
    ['missing | default({}) == {}', true],
    ["{'a': 1, 'b': [2]}.b[0] == 2", true],
    ["'k' in {'k': none}", true],
  ];
  for (const [expr, want] of cases) assert.equal(evalWhen(expr, vars), want, expr);
});

test('a list means every condition must hold; short-circuit guards undefined', () => {
  assert.equal(evalWhen(['enabled', 'count == 3'], vars), true);
  assert.equal(evalWhen(['enabled', 'count == 4'], vars), false);
  assert.equal(evalWhen('x is defined and x > 1', vars), false);
});

test('an undefined variable is an error naming the expression and its position', () => {
  const where = { file: 'site.yaml', line: 9, col: 7 };
  assert.throws(
    () => evalWhen('tuning_profle == "latency"', vars, where),
    (e: unknown) =>
      e instanceof ValidationError &&
      /undefined variable "tuning_profle"/.test(e.message) &&
      e.problems[0].pos === where &&
      /is defined/.test(e.problems[0].hint!),
  );
  assert.throws(() => evalWhen('facts.nope.deeper > 1', vars), /undefined variable "facts.nope.deeper"/);
});

test('type mismatches and unknown filters are errors, not silent falsehoods', () => {
  assert.throws(() => evalWhen('count > "2"', vars), /cannot compare number 3 with string "2"/);
  assert.throws(() => evalWhen('ports | frobnicate', vars), /unknown filter "frobnicate"/);
  assert.throws(() => evalWhen('count is prime', vars), /unknown test "prime"/);
});

test('syntax errors are found without variables, with a column', () => {
  assert.match(whenSyntaxError('a == ') ?? '', /ends too early/);
  assert.match(whenSyntaxError("a == 'x") ?? '', /not closed at column 6/);
  assert.match(whenSyntaxError('a = 1') ?? '', /unexpected "="/);
  assert.equal(whenSyntaxError('a == 1 and b is defined'), undefined);
});

test('nothing reaches JavaScript: prototype members and calls are not available', () => {
  assert.equal(evalWhen('ports.constructor is defined', vars), false);
  assert.equal(evalWhen('facts.__proto__ is defined', vars), false);
  assert.equal(evalWhen('tuning_profile.length is defined', vars), false);
  // Calls parse, but only the evaluator's own short lists of functions and methods exist.
  assert.throws(() => evalWhen('ports.pop()', vars), /unknown method "pop\(\)"/);
  assert.throws(() => evalWhen("ports.constructor('return 1')()", vars), /unknown method "constructor\(\)"|unexpected "\("/);
  assert.throws(() => evalWhen('constructor()', vars), /unknown function "constructor\(\)"/);
  assert.throws(() => evalWhen('ports | constructor', vars), /unknown filter "constructor"/);
  assert.throws(() => evalWhen('ports is constructor', vars), /unknown test "constructor"/);
});
