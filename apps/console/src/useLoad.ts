import { useCallback, useEffect, useState } from 'react';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

interface State<T> {
  key: string;
  data: T | null;
  error: unknown;
  loading: boolean;
}

/**
 * Runs `load` when `key` changes and keeps only the latest answer, so a slow earlier request
 * cannot overwrite a newer one (filters changed twice quickly, back/forward). A reload keeps
 * showing the old data until the new arrives; a new key does not show another key's data.
 */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<State<T>>({ key, data: null, error: null, loading: true });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then(
      (data) => current && setState({ key, data, error: null, loading: false }),
      (error: unknown) =>
        current && setState((s) => ({ key, data: s.key === key ? s.data : null, error, loading: false })),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure every render; `key` says when it means something different.
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const fresh = state.key === key;
  return {
    data: fresh ? state.data : null,
    error: fresh ? state.error : null,
    loading: !fresh || state.loading,
    reload,
  };
}
