import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorAlert } from '../components/Notice';

interface Props {
  partnerId: string;
  onIssued: () => void;
}

/** The key's secret exists only in this answer: it is shown once, here, and never fetched again. */
export function IssueKey({ partnerId, onIssued }: Props) {
  const [label, setLabel] = useState('');
  const [issued, setIssued] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setIssued(null);
    setCopied(false);
    api.issueKey(partnerId, label.trim()).then(
      (key) => {
        setBusy(false);
        setIssued(key.key);
        setLabel('');
        onIssued();
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };

  const copy = (key: string) => {
    // Clipboard access can be refused (permissions, insecure origin); the key stays on screen to copy by hand.
    navigator.clipboard?.writeText(key).then(
      () => setCopied(true),
      () => undefined,
    );
  };

  return (
    <>
      <form className="inline-form" onSubmit={submit}>
        <h3>Issue a key</h3>
        <div className="field">
          <label htmlFor="key-label">Key label</label>
          <input
            id="key-label"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder="e.g. production ERP"
          />
        </div>
        <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy}>
          Issue key
        </button>
      </form>
      <ErrorAlert error={error} prefix="Could not issue a key" />
      {issued && (
        <div role="status" className="new-key">
          <h3>New API key</h3>
          <p>Copy it now: it is not shown again.</p>
          <div className="new-key__value">
            <code className="mono break">{issued}</code>
            <button type="button" className="button" onClick={() => copy(issued)}>
              Copy
            </button>
            {copied && <span className="muted small">Copied</span>}
          </div>
        </div>
      )}
    </>
  );
}
