// Which hosts a run reaches again after the preflight, so that the others' connections close early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reachedAfterPreflight } from '../../../src/exec/last-contact.js';
import type { PlanView } from '../../../src/exec/host-work.js';
import { testPlay } from '../../helpers/play.js';

const view = (hasWork: boolean): PlanView => ({ host: 'h1', hasWork, lines: [], rows: [] });
const plain = testPlay();
const fatal = testPlay({ anyErrorsFatal: true });

test('check mode never reaches a host again, whatever its plan', () => {
  assert.equal(reachedAfterPreflight(true, [plain, fatal], [view(true), view(false)]), false);
});

test('an apply reaches a host that has work in any play it is in', () => {
  assert.equal(reachedAfterPreflight(false, [plain, plain], [view(false), view(true)]), true);
  assert.equal(reachedAfterPreflight(false, [plain, plain], [undefined, view(false)]), false);
});

test('an any_errors_fatal play steps through each of its hosts, work or not', () => {
  assert.equal(reachedAfterPreflight(false, [plain, fatal], [view(false), view(false)]), true);
  assert.equal(reachedAfterPreflight(false, [plain, fatal], [view(false), undefined]), false, 'not a host of that play');
});
