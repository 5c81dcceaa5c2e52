import { useEffect, useId, useRef, type ReactNode } from 'react';

interface Props {
  open: boolean;
  title: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ReactNode;
}

/** A native modal <dialog>: the browser traps focus and handles Escape; we focus the first button. */
export function ConfirmDialog({ open, title, confirmLabel, busy, onConfirm, onCancel, children }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const first = useRef<HTMLButtonElement>(null);
  const titleId = useId();

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      first.current?.focus();
    } else if (!open && el.open) {
      el.close();
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={open ? titleId : undefined}
      onCancel={(event) => {
        event.preventDefault(); // closing is the parent's call, so its `open` stays the truth
        onCancel();
      }}
    >
      {/* contents only while open: a closed dialog's text would still match text searches of the page */}
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
          <div className="button-row">
            <button
              ref={first}
              type="button"
              className="button button--primary"
              disabled={busy}
              onClick={onConfirm}
            >
              {confirmLabel}
            </button>
            <button type="button" className="button" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </>
      )}
    </dialog>
  );
}
