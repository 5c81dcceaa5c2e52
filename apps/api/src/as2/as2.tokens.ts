/** Our AS2 identities (OurIdentities | null) and the AS2 store, as the module provides them. */
export const AS2_IDENTITIES = Symbol('AS2_IDENTITIES');
export const AS2_STORE = Symbol('AS2_STORE');
export const AS2_INBOX = Symbol('AS2_INBOX');
