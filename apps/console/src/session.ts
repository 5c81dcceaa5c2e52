import { createContext, useContext } from 'react';
import type { StaffUser } from './api';

export interface SessionValue {
  user: StaffUser;
  signOut: () => void;
}

export const SessionContext = createContext<SessionValue | null>(null);

/** The signed-in user; pages render only inside a session, so a missing one is a wiring bug. */
export function useSession(): SessionValue {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in layout');
  return session;
}
