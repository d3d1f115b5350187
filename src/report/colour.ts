// ANSI colour, only on a TTY and never when NO_COLOR is set (https://no-color.org).
export type Paint = (s: string) => string;

export interface Palette {
  red: Paint;
  green: Paint;
  yellow: Paint;
  cyan: Paint;
  bold: Paint;
  dim: Paint;
}

const sgr =
  (code: string): Paint =>
  (s) =>
    `\x1b[${code}m${s}\x1b[0m`;
const plain: Paint = (s) => s;

export function palette(enabled: boolean): Palette {
  if (!enabled) return { red: plain, green: plain, yellow: plain, cyan: plain, bold: plain, dim: plain };
  return { red: sgr('31'), green: sgr('32'), yellow: sgr('33'), cyan: sgr('36'), bold: sgr('1'), dim: sgr('2') };
}

export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !('NO_COLOR' in env && env.NO_COLOR !== '');
}

/** Unified diff lines: removals red, additions green, hunk headers cyan. */
export function colourDiff(diff: string, p: Palette): string {
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+++') || l.startsWith('---')
        ? p.bold(l)
        : l.startsWith('+')
          ? p.green(l)
          : l.startsWith('-')
            ? p.red(l)
            : l.startsWith('@@')
              ? p.cyan(l)
              : l,
    )
    .join('\n');
}
