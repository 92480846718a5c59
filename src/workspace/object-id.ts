/** A full object id: 40 hex digits (SHA-1) or 64 (SHA-256), lower case as git prints them. */
export const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
