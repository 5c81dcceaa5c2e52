import { useState, type FormEvent } from 'react';
import { api, type Role, type StaffRow } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert, Loading, StatusNotice } from '../components/Notice';
import { PageTitle } from '../components/PageTitle';
import { formatDateTime } from '../format';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

interface Pending {
  member: StaffRow;
  to: { role?: Role; disabled?: boolean };
  what: string;
  done: string;
  self: boolean;
}

const ROLES: Array<{ role: Role; says: string }> = [
  { role: 'viewer', says: 'viewer: looks' },
  { role: 'operator', says: 'operator: also reprocesses, resubmits, resolves' },
  { role: 'admin', says: 'admin: also keys and staff' },
];

/** The console's accounts, for admins: add one, change a role, disable on leaving. Each change ends that member's sessions. */
export function Staff() {
  const { user } = useSession();
  const [generation, setGeneration] = useState(0);
  const { data, error, loading } = useLoad(() => api.staff(), `staff:${generation}`);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);

  // a change ends the member's sessions, so it is asked for first, never made by a stray keypress
  const [asking, setAsking] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = () => {
    if (!asking) return;
    setBusy(true);
    setFailure(null);
    setOutcome(null);
    api.changeStaff(asking.member.id, asking.to).then(
      () => {
        setBusy(false);
        setAsking(null);
        setOutcome(asking.done);
        setGeneration((g) => g + 1);
      },
      (e: unknown) => {
        setBusy(false);
        setAsking(null);
        setFailure(e);
      },
    );
  };
  const ask = (member: StaffRow, to: Pending['to']) => {
    const self = member.username === user.username;
    const what =
      to.role !== undefined
        ? `Make ${member.username} ${to.role === 'admin' ? 'an' : 'a'} ${to.role}?`
        : `${to.disabled ? 'Disable' : 'Enable'} ${member.username}?`;
    const done =
      to.role !== undefined
        ? `${member.username} is now ${to.role}.`
        : `${member.username} is ${to.disabled ? 'disabled' : 'enabled'}; their sessions are ended.`;
    setAsking({ member, to, what, done, self });
  };

  return (
    <>
      <PageTitle title="Staff" />
      {outcome && <StatusNotice>{outcome}</StatusNotice>}
      <ErrorAlert error={failure} prefix="Not changed" />
      <ErrorAlert error={error} prefix="Could not load the staff list" />
      {loading && !data && <Loading what="the staff list" />}
      {data && (
        <section className="card" aria-labelledby="staff-members">
          <h2 id="staff-members" className="card__title">
            Members
          </h2>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Console accounts</caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((m) => (
                  <tr key={m.id}>
                    <th scope="row" className="mono">
                      {m.username}
                      {m.username === user.username && <span className="muted small"> (you)</span>}
                    </th>
                    <td>{m.name}</td>
                    <td>
                      <select
                        aria-label={`Role of ${m.username}`}
                        value={m.role}
                        disabled={busy}
                        onChange={(e) => ask(m, { role: e.target.value as Role })}
                      >
                        {ROLES.map((r) => (
                          <option key={r.role} value={r.role}>
                            {r.role}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td>{m.disabled ? 'disabled' : 'active'}</td>
                    <td>{formatDateTime(m.createdAt)}</td>
                    <td>
                      <button
                        type="button"
                        className={
                          m.disabled ? 'button button--small' : 'button button--small button--danger'
                        }
                        aria-label={`${m.disabled ? 'Enable' : 'Disable'} ${m.username}`}
                        disabled={busy}
                        onClick={() => ask(m, { disabled: !m.disabled })}
                      >
                        {m.disabled ? 'Enable' : 'Disable'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ConfirmDialog
            open={!!asking}
            title={asking?.what ?? ''}
            confirmLabel={
              asking?.to.role !== undefined ? 'Change role' : asking?.to.disabled ? 'Disable' : 'Enable'
            }
            busy={busy}
            onConfirm={confirm}
            onCancel={() => setAsking(null)}
          >
            <p>
              {asking?.self
                ? 'This is you: your session ends now, and you sign in again with what the change leaves you.'
                : 'Their sessions end now; the change applies from their next sign-in.'}
            </p>
          </ConfirmDialog>
          <AddMember
            onAdded={(m) => {
              setOutcome(`${m.username} added as ${m.role}.`);
              setGeneration((g) => g + 1);
            }}
          />
        </section>
      )}
    </>
  );
}

/** A new member with a first password the admin hands over (they change it with `edi staff password`). */
function AddMember({ onAdded }: { onAdded: (m: StaffRow) => void }) {
  const empty = { username: '', name: '', role: 'viewer' as Role, password: '' };
  const [draft, setDraft] = useState(empty);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    api.addStaff(draft).then(
      (m) => {
        setBusy(false);
        setDraft(empty);
        onAdded(m);
      },
      (e: unknown) => {
        setBusy(false);
        setError(e);
      },
    );
  };
  const field = (key: 'username' | 'name' | 'password') => ({
    id: `member-${key}`,
    value: draft[key],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }),
  });
  return (
    <form className="inline-form" onSubmit={submit} aria-labelledby="add-member">
      <h3 id="add-member">Add a member</h3>
      <div className="field">
        <label htmlFor="member-username">Username</label>
        <input {...field('username')} required autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="member-name">Name</label>
        <input {...field('name')} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="member-role">Role</label>
        <select
          id="member-role"
          value={draft.role}
          onChange={(e) => setDraft({ ...draft, role: e.target.value as Role })}
        >
          {ROLES.map((r) => (
            <option key={r.role} value={r.role}>
              {r.says}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="member-password">First password</label>
        <input {...field('password')} type="password" minLength={12} required autoComplete="new-password" />
      </div>
      <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy}>
        Add member
      </button>
      <ErrorAlert error={error} prefix="Not added" />
    </form>
  );
}
