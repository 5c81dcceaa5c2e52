import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigate } from '../router';

type Props = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

/** A real <a href>: the router takes plain left clicks; new-tab clicks and copy-link keep working. */
export function Link({ href, onClick, ...rest }: Props) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}
