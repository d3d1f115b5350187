// Names written by users (task, play, host) go into file headers and onto terminals: control
// characters there would start a new line in a managed file or drive the terminal. Each run of
// them becomes one space.

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

export function oneLine(s: string): string {
  return s.replace(CONTROL, ' ').trim();
}
