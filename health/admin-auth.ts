/** Moved to http/admin-auth.ts (web plumbing has its own folder); kept until cli/local/stack.ts moves over. */
export * from '../http/admin-auth';
