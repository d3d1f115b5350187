import { constants } from 'node:os';

const names = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));

export function osErrorName(errno: number): string {
  return names.get(errno) ?? `errno ${errno}`;
}
