/** Where authentication failures and admin actions are reported (the audit module provides it). */
export const AUTH_EVENTS = Symbol('AUTH_EVENTS');

export interface AuthEvents {
  authenticationFailed(event: { requestId: string; reason: string; clientId?: string; path: string }): Promise<void>;
  adminAction(event: { agencyId: string; actor: string; action: string; resourceType: string; resourceIds: string[]; requestId?: string }): Promise<void>;
}
