import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type Resubmitted } from '../api';
import { ApiProblem } from './ApiProblem';

interface ResubmitProps {
  transactionId: string;
  kind: 'x12' | 'json';
  initial: string;
  onCancel: () => void;
  onResubmitted: (result: Resubmitted) => void;
}

type Edit = { x12: string } | { document: Record<string, unknown> };

/** Turns the textarea into what the API takes, or says in words why it cannot. */
function readEdit(kind: 'x12' | 'json', text: string): Edit | string {
  if (kind === 'x12') return text.trim() ? { x12: text } : 'The X12 is empty.';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return `The JSON is not valid: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return 'The JSON must be an object.';
  return { document: parsed as Record<string, unknown> };
}

/** Edit the raw X12 or the translated JSON and send it as a new version of the transaction. */
export function ResubmitEditor({ transactionId, kind, initial, onCancel, onResubmitted }: ResubmitProps) {
  const [text, setText] = useState(initial);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);

  const label = kind === 'x12' ? 'X12' : 'JSON';
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const edit = readEdit(kind, text);
    if (typeof edit === 'string') return setProblem(new Error(edit));
    setBusy(true);
    setProblem(null);
    api
      .resubmit(transactionId, { ...edit, note: note.trim() || undefined })
      .then(onResubmitted, (e: unknown) => {
        setBusy(false);
        setProblem(e);
      });
  };

  return (
    <form className="editor" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`edit-${kind}`}>{label}</label>
        <textarea
          id={`edit-${kind}`}
          ref={area}
          className="editor__text mono"
          spellCheck={false}
          rows={Math.min(24, Math.max(8, text.split('\n').length + 1))}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`edit-${kind}-note`}>Note</label>
        <input
          id={`edit-${kind}-note`}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          placeholder="Optional: why it was changed"
        />
      </div>
      <ApiProblem error={problem} />
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy}>
          Resubmit
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface ResolveProps {
  transactionId: string;
  onCancel: () => void;
  onResolved: () => void;
  /** `release`: to the ERP despite the mismatches with its PO, with the reason (default: resolve). */
  kind?: 'resolve' | 'release';
}

const NOTE_FORMS = {
  resolve: {
    label: 'Resolution note',
    missing: 'Write a resolution note: it is kept in the timeline.',
    submit: 'Mark resolved',
    send: (id: string, note: string) => api.resolve(id, note),
  },
  release: {
    label: 'Why it may go to the ERP despite the mismatches',
    missing: 'Write the reason for releasing it: it is kept in the timeline and the audit trail.',
    submit: 'Release to the ERP',
    send: (id: string, note: string) => api.release(id, note),
  },
} as const;

/**
 * Closes a problem without changing the data, or releases a held 856/810 to the ERP: the note says
 * why it is fine, for the audit trail.
 */
export function ResolveForm({ transactionId, onCancel, onResolved, kind = 'resolve' }: ResolveProps) {
  const form = NOTE_FORMS[kind];
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!note.trim()) return setProblem(new Error(form.missing));
    setBusy(true);
    setProblem(null);
    form.send(transactionId, note.trim()).then(onResolved, (e: unknown) => {
      setBusy(false);
      setProblem(e);
    });
  };

  return (
    <form className="editor" onSubmit={submit}>
      <div className="field">
        <label htmlFor={`${kind}-note`}>{form.label}</label>
        <textarea
          id={`${kind}-note`}
          ref={area}
          required
          rows={3}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
      </div>
      <ApiProblem error={problem} />
      <div className="button-row">
        <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy}>
          {form.submit}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
