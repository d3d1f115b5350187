// A minimal Play for tests that build plays in code; `more` replaces any field.
import type { Play } from '../../src/playbook/types.js';

export function testPlay(more: Partial<Play> = {}): Play {
  return {
    name: 'p',
    hosts: 'all',
    vars: {},
    varsFiles: [],
    serial: [],
    anyErrorsFatal: false,
    tags: [],
    tasks: [],
    handlers: [],
    pos: { file: '/nowhere/site.yml', line: 1, col: 1 },
    ...more,
  };
}
