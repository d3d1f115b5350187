// Untagged plain YAML scalars resolved as PyYAML's YAML 1.1 resolver does (what Ansible reads):
// yes/no/on/off are booleans but y/n are not; 0644 is the octal 420; 1:20 is the base-60 80;
// 1e3 and e3 are strings (a float needs a dot, and an exponent needs its sign: 1.0e+3).
// Two deliberate exceptions, so no value is silently altered: integers beyond 2^53 and
// timestamps stay the text as written.

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** The value of an untagged plain scalar written as `source`. */
export function resolvePlainScalar(source: string): unknown {
  if (NULL.test(source)) return null;
  if (BOOL.test(source)) return TRUE.test(source);
  if (INT.test(source)) return yamlInt(source);
  if (FLOAT.test(source)) return yamlFloat(source);
  return source;
}

function yamlInt(source: string): number | string {
  let t = source.replace(/_/g, '');
  const sign = t[0] === '-' ? -1 : 1;
  if (t[0] === '-' || t[0] === '+') t = t.slice(1);
  let n: number;
  if (t === '0') n = 0;
  else if (t.startsWith('0b')) n = parseInt(t.slice(2), 2);
  else if (t.startsWith('0x')) n = parseInt(t.slice(2), 16);
  else if (t.startsWith('0')) n = parseInt(t, 8);
  else if (t.includes(':')) n = sexagesimal(t);
  else n = Number(t);
  return Number.isSafeInteger(n) ? sign * n : source;
}

function yamlFloat(source: string): number {
  let t = source.replace(/_/g, '').toLowerCase();
  const sign = t[0] === '-' ? -1 : 1;
  if (t[0] === '-' || t[0] === '+') t = t.slice(1);
  if (t === '.inf') return sign * Infinity;
  if (t === '.nan') return NaN;
  return sign * (t.includes(':') ? sexagesimal(t) : Number(t));
}

function sexagesimal(t: string): number {
  return t.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}
