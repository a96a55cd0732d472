import { conflict, forbidden, invalid, notFound } from '@dealledger/domain';

/** The directory's refusals, with stable codes. */
export const CompanyErrors = {
  alreadyRegistered: (companyId: string) =>
    conflict('company.already_registered', `a company with this country and registration number is already registered (${companyId})`, { companyId }),
  ambiguousRegistrationNumber: (value: string) =>
    invalid(
      'company.registration_number_ambiguous',
      `registration number ${JSON.stringify(value)} must consist of the letters A–Z and digits (spaces, dashes and dots are ignored); other scripts and letters such as ß would make one company two`,
    ),
  rolesRequired: () => invalid('company.roles_required', 'a company needs at least one role: supplier, buyer, intermediary or public_body'),
  notFound: (companyId: string) => notFound('company.not_found', `no company ${companyId}`),
  notYours: (companyId: string) => forbidden('company.not_yours', `you do not act for company ${companyId}`),
  notAllowedToAddPeople: () => forbidden('company.cannot_add_people', "only the company's own key or one of its executives can add people"),
  emailTaken: (email: string) => conflict('person.email_taken', `${email} already belongs to a person of this company`),
  personExists: (personId: string) => conflict('person.already_added', `person ${personId} is already recorded`),
  governmentRoleNeedsPublicBody: () =>
    invalid('person.government_role_needs_public_body', 'only people of a public body, verified by an operator, can hold the government signing role'),
  alreadyVerified: (companyId: string) => conflict('company.already_verified', `company ${companyId} is already verified`),
  keyExists: (keyId: string) => conflict('api_key.already_issued', `API key ${keyId} already exists`),
  notAllowedToManageAccess: () =>
    forbidden(
      'company.cannot_manage_access',
      "only the company's own key or one of its executives can manage its people and keys (a person may rotate and revoke their own keys)",
    ),
  personNotFound: (personId: string) => notFound('person.not_found', `no current person ${personId} in this company`),
  /** Also what a stranger hears about a person who exists: no company learns another's people this way. */
  noSuchPerson: (personId: string) => notFound('person.not_found', `no person ${personId} in this company`),
  notAllowedToErase: () =>
    forbidden(
      'person.cannot_erase_personal_data',
      "only the person themselves, the company's own key or one of its executives (or an operator) can erase a person's personal data",
    ),
  keyNotFound: (keyId: string) => notFound('api_key.not_found', `no API key ${keyId} in this company`),
  keyAlreadyRevoked: (keyId: string) => conflict('api_key.already_revoked', `API key ${keyId} is already revoked`),
  invalidKey: () => invalid('auth.invalid_api_key', 'the API key is not valid'),
};
