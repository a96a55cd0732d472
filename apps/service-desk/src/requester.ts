/** Who issues a command, as their verified token says (the acting company, person and signing roles). */
export interface Requester {
  companyId: string;
  personId: string | null;
  roles: string[];
}
