/** Moved to http/internal-auth.ts (web plumbing has its own folder); kept until cli/local/stack.ts moves over. */
export * from '../http/internal-auth';
