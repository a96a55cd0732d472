/** Who issues a command, as their verified token says: the acting company, person and signing roles. */
export interface Requester {
  companyId: string;
  /** Null when the company itself acts (a company API key). */
  personId: string | null;
  roles: string[];
}
