// Ctrl-C / SIGTERM: the run starts no new operation, lets in-flight scripts finish (they ignore
// the signal and run to their end), prints the recap and exits 130 / 143. A second signal exits
// at once; scripts already sent still finish on their own.
export interface Interrupt {
  readonly signal?: 'SIGINT' | 'SIGTERM';
  dispose(): void;
}

export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export function watchSignals(onFirst: (signal: 'SIGINT' | 'SIGTERM') => void): Interrupt {
  const state: { signal?: 'SIGINT' | 'SIGTERM' } = {};
  const handler = (sig: 'SIGINT' | 'SIGTERM') => {
    if (state.signal) process.exit(SIGNAL_EXIT[sig]);
    state.signal = sig;
    onFirst(sig);
  };
  const onInt = () => handler('SIGINT');
  const onTerm = () => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    get signal() {
      return state.signal;
    },
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
