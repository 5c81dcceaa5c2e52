import { useRef, useState } from 'react';
import { api, type Resubmitted, type TransactionDetail } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { StatusNotice } from '../components/Notice';
import { navigate, paths } from '../router';
import { useSession } from '../session';
import { ApiProblem } from './ApiProblem';
import { ResolveForm, ResubmitEditor } from './Editors';

export const RESUBMITTED = 'Resubmitted as a new version; the original is kept.';

type Mode = 'x12' | 'json' | 'resolve' | 'release' | null;

interface Props {
  detail: TransactionDetail;
  onChanged: () => void;
}

/** What the signed-in user may do now, as the API says in `can`; the server checks again anyway. */
export function Actions({ detail, onChanged }: Props) {
  const { user } = useSession();
  const [mode, setMode] = useState<Mode>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const toolbar = useRef<HTMLDivElement>(null);
  const { can, transaction } = detail;

  if (user.role === 'viewer') {
    return <p className="muted">You can view this transaction; your role (viewer) cannot change it.</p>;
  }

  const open = (next: Mode) => {
    setProblem(null);
    setNotice(null);
    setMode(next);
  };
  // Back to the button that opened the editor, so keyboard users are not dropped at the top.
  const close = () => {
    const opener = mode;
    setMode(null);
    requestAnimationFrame(() =>
      toolbar.current?.querySelector<HTMLElement>(`[data-mode="${opener}"]`)?.focus(),
    );
  };
  const toNewVersion = (result: Resubmitted) => {
    const first = result.transactions[0];
    if (first) return navigate(paths.transaction(first.id), { flash: RESUBMITTED });
    setMode(null);
    setNotice('Sent again, but no new transaction came out of it; see the timeline.');
    onChanged();
  };
  const reprocess = () => {
    setBusy(true);
    setProblem(null);
    api
      .reprocess(transaction.id)
      .then(toNewVersion, (e: unknown) => setProblem(e))
      .finally(() => {
        setBusy(false);
        setConfirming(false);
      });
  };
  const done = (message: string) => () => {
    setMode(null);
    setNotice(message);
    onChanged();
  };
  /** A button that opens one editor; aria-expanded tells which one is open. */
  const opener = (next: Exclude<Mode, null>, label: string) => (
    <button
      type="button"
      className="button"
      data-mode={next}
      aria-expanded={mode === next}
      onClick={() => open(next)}
    >
      {label}
    </button>
  );

  const none = !can.reprocess && !can.resubmit && !can.resolve && !can.release;
  return (
    <div className="actions">
      <div className="button-row" ref={toolbar}>
        {can.reprocess && (
          <button type="button" className="button" data-mode="reprocess" onClick={() => setConfirming(true)}>
            Reprocess
          </button>
        )}
        {can.resubmit && detail.x12 !== null && opener('x12', 'Edit X12')}
        {can.resubmit && detail.document !== null && opener('json', 'Edit JSON')}
        {can.resolve && opener('resolve', 'Resolve')}
        {can.release && opener('release', 'Release to the ERP despite the mismatches')}
        {none && <p className="muted">Nothing can be changed in this status.</p>}
      </div>
      {mode === null && <ApiProblem error={problem} />}
      {notice && <StatusNotice>{notice}</StatusNotice>}
      {(mode === 'x12' || mode === 'json') && (
        <ResubmitEditor
          key={mode}
          transactionId={transaction.id}
          kind={mode}
          initial={mode === 'x12' ? (detail.x12 ?? '') : JSON.stringify(detail.document, null, 2)}
          onCancel={close}
          onResubmitted={toNewVersion}
        />
      )}
      {mode === 'resolve' && (
        <ResolveForm transactionId={transaction.id} onCancel={close} onResolved={done('Marked resolved.')} />
      )}
      {mode === 'release' && (
        <ResolveForm
          kind="release"
          transactionId={transaction.id}
          onCancel={close}
          onResolved={done('Released to the ERP; the mismatches are kept as warnings.')}
        />
      )}
      <ConfirmDialog
        open={confirming}
        title="Reprocess this transaction?"
        confirmLabel="Reprocess"
        busy={busy}
        onConfirm={reprocess}
        onCancel={() => setConfirming(false)}
      >
        <p>It runs through the pipeline again as a new version; this one is kept as it is.</p>
      </ConfirmDialog>
    </div>
  );
}
