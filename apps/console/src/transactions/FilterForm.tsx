import { useState, type FormEvent, type ReactNode } from 'react';
import { NEEDS_REVIEW, STATUSES, type PartnerRow, type TransactionFilter } from '../api';
import { navigate, paths } from '../router';

interface Props {
  filter: TransactionFilter;
  partners: PartnerRow[] | null;
}

/** A draft of the filter; Apply writes it to the URL, which is what the list reads. */
export function FilterForm({ filter, partners }: Props) {
  const [draft, setDraft] = useState<Record<keyof TransactionFilter, string>>(() => ({
    status: filter.status ?? '',
    partner: filter.partner ?? '',
    set: filter.set ?? '',
    direction: filter.direction ?? '',
    po: filter.po ?? '',
    q: filter.q ?? '',
    from: filter.from ?? '',
    to: filter.to ?? '',
  }));
  const bind = (key: keyof TransactionFilter) => ({
    id: `filter-${key}`,
    name: key,
    value: draft[key],
    onChange: (e: { target: { value: string } }) =>
      setDraft((d) => ({ ...d, [key]: e.target.value.trimStart() })),
  });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    navigate(paths.transactions(trimmed(draft)));
  };

  return (
    <form className="filters" aria-label="Filter transactions" onSubmit={apply}>
      <Field label="Status" htmlFor="filter-status">
        <select {...bind('status')}>
          <option value="">All</option>
          <option value={NEEDS_REVIEW}>needs review (rejected, failed, held)</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Partner" htmlFor="filter-partner">
        <select {...bind('partner')}>
          <option value="">All</option>
          {partnerOptions(partners, draft.partner)}
        </select>
      </Field>
      <Field label="Set" htmlFor="filter-set">
        <input {...bind('set')} inputMode="numeric" placeholder="e.g. 850" size={6} />
      </Field>
      <Field label="Direction" htmlFor="filter-direction">
        <select {...bind('direction')}>
          <option value="">All</option>
          <option value="in">Inbound</option>
          <option value="out">Outbound</option>
        </select>
      </Field>
      <Field label="PO number" htmlFor="filter-po">
        <input {...bind('po')} />
      </Field>
      <Field label="Search" htmlFor="filter-q" wide>
        <input {...bind('q')} type="search" placeholder="PO, control number or id" />
      </Field>
      <Field label="From" htmlFor="filter-from">
        <input {...bind('from')} type="date" />
      </Field>
      <Field label="To" htmlFor="filter-to">
        <input {...bind('to')} type="date" />
      </Field>
      <div className="filters__buttons">
        <button type="submit" className="button button--primary">
          Apply
        </button>
        <button type="button" className="button" onClick={() => navigate(paths.transactions())}>
          Clear
        </button>
      </div>
    </form>
  );
}

interface FieldProps {
  label: string;
  htmlFor: string;
  wide?: boolean;
  children: ReactNode;
}

function Field({ label, htmlFor, wide, children }: FieldProps) {
  return (
    <div className={wide ? 'field field--wide' : 'field'}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
    </div>
  );
}

/** Until the partner list arrives (or if it fails) keep the chosen id selectable, so the form does not lie. */
function partnerOptions(partners: PartnerRow[] | null, chosen: string) {
  const known = partners ?? [];
  const options = known.map((p) => (
    <option key={p.id} value={p.id}>
      {p.name}
    </option>
  ));
  if (chosen && !known.some((p) => p.id === chosen)) {
    options.push(
      <option key={chosen} value={chosen}>
        {chosen}
      </option>,
    );
  }
  return options;
}

/** Blank fields leave the URL; the router validates what is left when it reads the URL back. */
function trimmed(draft: Record<keyof TransactionFilter, string>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(draft).map(([k, v]) => [k, v.trim() || undefined]));
}
