/** Email addresses are compared and stored lowercase. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
