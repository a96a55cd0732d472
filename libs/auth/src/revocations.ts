import type { Principal, TokenAccess } from './token';

/**
 * What ended tokens before they expire, as learned from the directory's events: revoked API
 * keys, removed people, and each person's current roles version. Pure state; the platform
 * feeds it from the directory's topic in every app.
 */
export class TokenRevocations {
  private readonly revokedKeys = new Set<string>();
  private readonly removedPeople = new Set<string>();
  private readonly rolesVersions = new Map<string, number>();
  private caughtUp = false;
  private readonly waiting: (() => void)[] = [];

  /** The feed has read the directory's topic as far as it reached when the app started. */
  get isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** The feed starts over: requests wait again until it has caught up. */
  markBehind(): void {
    this.caughtUp = false;
  }

  markCaughtUp(): void {
    this.caughtUp = true;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Resolves true once caught up, false if `timeoutMs` passes first. */
  whenCaughtUp(timeoutMs: number): Promise<boolean> {
    if (this.caughtUp) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  apply(type: string, data: Record<string, unknown>): void {
    if (type === 'ApiKeyRevoked') this.revokedKeys.add(String(data.keyId));
    else if (type === 'PersonRemoved') this.removedPeople.add(String(data.personId));
    else if (type === 'PersonRolesChanged') {
      const personId = String(data.personId);
      this.rolesVersions.set(personId, Math.max(this.rolesVersions.get(personId) ?? 0, Number(data.rolesVersion)));
    }
  }

  /** Why a token no longer holds, or null while it does. */
  reason(principal: Principal, access: TokenAccess): string | null {
    if (this.revokedKeys.has(access.keyId)) return 'the API key it was issued from is revoked';
    if (principal.personId !== null && this.removedPeople.has(principal.personId)) return 'its person was removed from the company';
    if (principal.personId !== null && access.rolesVersion < (this.rolesVersions.get(principal.personId) ?? 0))
      return "its person's signing roles changed since it was issued";
    return null;
  }
}
