import { useState } from 'react';
import { api, type TransactionFilter } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert, StatusNotice } from '../components/Notice';
import { formatCount, plural } from '../format';

interface Props {
  filter: TransactionFilter;
  total: number;
  onDone: () => void;
}

/** Reprocesses every match of the current filter in one request; the server caps it at 500. */
export function BulkReprocess({ filter, total, onDone }: Props) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const run = () => {
    setBusy(true);
    setError(null);
    setResult(null);
    api.bulkReprocess(filter).then(
      (r) => {
        setBusy(false);
        setAsking(false);
        setResult(`Reprocessed ${formatCount(r.reprocessed)}, skipped ${formatCount(r.skipped)}`);
        onDone();
      },
      (failure: unknown) => {
        setBusy(false);
        setAsking(false);
        setError(failure);
      },
    );
  };

  return (
    <div className="bulk">
      <button type="button" className="button" disabled={total === 0 || busy} onClick={() => setAsking(true)}>
        Reprocess all matching
      </button>
      <div className="bulk__outcome">
        {result && <StatusNotice>{result}</StatusNotice>}
        <ErrorAlert error={error} prefix="Reprocessing failed" />
      </div>
      <ConfirmDialog
        open={asking}
        title={`Reprocess the rejected and failed among ${plural(total, 'transaction')}?`}
        confirmLabel="Reprocess"
        busy={busy}
        onConfirm={run}
        onCancel={() => setAsking(false)}
      >
        <p>
          Each rejected or failed one runs again as a new version; the originals are kept. Those still wrong
          are skipped and stay as they are. Held duplicates are not released in bulk: open each one to decide.
          At most 500 are done at a time.
        </p>
      </ConfirmDialog>
    </div>
  );
}
