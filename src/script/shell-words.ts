// A `validate` command as words, split like sh splits a simple command but never run by a shell:
// quotes group, a backslash escapes, and `%s` inside any word stands for the file to check. What
// would need a shell (expansions, pipes, redirections, several commands) is refused, so neither
// the command nor the path it is given can start another command.

export type CommandWords = { words: string[] } | { error: string };

const OPERATORS = new Set([';', '&', '|', '<', '>', '(', ')']);

export function splitCommand(text: string): CommandWords {
  const words: string[] = [];
  let word: string | null = null;
  const add = (s: string) => (word = (word ?? '') + s);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\0') return { error: 'a NUL character is not allowed' };
    if (c === ' ' || c === '\t' || c === '\n') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return { error: 'a single quote is not closed' };
      add(text.slice(i + 1, end));
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      let part = '';
      for (; j < text.length && text[j] !== '"'; j++) {
        const d = text[j]!;
        if (d === '$' || d === '`') return { error: `"${d}" would need a shell: variables and command substitution are not expanded` };
        if (d === '\\' && '"\\$`\n'.includes(text[j + 1] ?? '')) part += text[++j];
        else part += d;
      }
      if (j >= text.length) return { error: 'a double quote is not closed' };
      add(part);
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return { error: 'the command ends with a backslash' };
      add(text[++i]!);
    } else if (c === '$' || c === '`') {
      return { error: `"${c}" would need a shell: variables and command substitution are not expanded` };
    } else if (OPERATORS.has(c)) {
      return { error: `"${c}" would need a shell: one command only, without pipes, redirections or lists` };
    } else add(c);
  }
  if (word !== null) words.push(word);
  if (words.length === 0) return { error: 'the command is empty' };
  if (!words.some((w) => w.includes('%s'))) return { error: 'no %s: the command must be given the file to check' };
  return { words };
}
