import { PersonKeys1738000000000 } from '@dealledger/platform';

export const DIRECTORY_MIGRATIONS = [PersonKeys1738000000000];
