import type { ReactNode } from 'react';
import { errorText } from '../format';

/** A failure the user should notice now: announced at once by screen readers. */
export function ErrorAlert({ error, prefix }: { error: unknown; prefix?: string }) {
  if (error === null || error === undefined) return null;
  return (
    <p role="alert" className="notice notice--error">
      {prefix ? `${prefix}: ` : ''}
      {errorText(error)}
    </p>
  );
}

/** An outcome to report politely (a bulk action's result, a saved change). */
export function StatusNotice({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="notice notice--info">
      {children}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted loading">Loading {what}…</p>;
}
