import { useEffect, type ReactNode } from 'react';

interface Props {
  title: string;
  /** Part of the heading itself (a status badge), so the h1 says what the record is and where it stands. */
  badge?: ReactNode;
  children?: ReactNode;
}

/** The page's h1 and the tab title. tabIndex -1 lets the layout move focus here after navigating. */
export function PageTitle({ title, badge, children }: Props) {
  useEffect(() => {
    document.title = `${title} · EDI console`;
  }, [title]);
  return (
    <div className="page-title">
      <h1 tabIndex={-1}>
        {title}
        {badge && <> {badge}</>}
      </h1>
      {children}
    </div>
  );
}
