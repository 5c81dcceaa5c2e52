import { useState, type FormEvent } from 'react';
import { api, type Role, type StaffRow } from '../api';
import { ErrorAlert, Loading, StatusNotice } from '../components/Notice';
import { PageTitle } from '../components/PageTitle';
import { formatDateTime } from '../format';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

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

  const change = (member: StaffRow, to: { role?: Role; disabled?: boolean }, said: string) => {
    setFailure(null);
    setOutcome(null);
    api.changeStaff(member.id, to).then(
      () => {
        setOutcome(said);
        setGeneration((g) => g + 1);
      },
      (e: unknown) => setFailure(e),
    );
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
                        onChange={(e) =>
                          change(
                            m,
                            { role: e.target.value as Role },
                            `${m.username} is now ${e.target.value}.`,
                          )
                        }
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
                        onClick={() =>
                          change(
                            m,
                            { disabled: !m.disabled },
                            `${m.username} is ${m.disabled ? 'enabled' : 'disabled'}; their sessions are ended.`,
                          )
                        }
                      >
                        {m.disabled ? 'Enable' : 'Disable'}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
