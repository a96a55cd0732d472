import { companyIdFor, registrationKey } from './company.stream';

describe('what identifies a registration number', () => {
  const plain = registrationKey('HRB STRASSE 12')!;

  it('ignores spacing, punctuation, zero-width characters, full-width forms and case: one company, one id', () => {
    for (const lookalike of ['HRB-STRASSE-12', 'hrb strasse 12', 'HRB\u200BSTRASSE 12', 'ＨＲＢ ＳＴＲＡＳＳＥ １２', 'H.R.B. Strasse/12']) {
      expect([lookalike, registrationKey(lookalike)]).toEqual([lookalike, plain]);
      expect(companyIdFor('DE', registrationKey(lookalike)!)).toBe(companyIdFor('DE', plain));
    }
  });

  it('refuses what would stay ambiguous: other scripts, letters with two upper cases, nothing at all', () => {
    for (const ambiguous of ['hrb straße 12', 'НRВ STRASSE 12' /* Cyrillic Н and В */, '---', '', 'HRB Ⅻ' /* NFKC: XII, fine */]) {
      const key = registrationKey(ambiguous);
      if (ambiguous === 'HRB Ⅻ') expect(key).toBe('HRBXII');
      else expect([ambiguous, key]).toEqual([ambiguous, null]);
    }
  });

  it('keeps distinct numbers distinct', () => {
    expect(registrationKey('HRB 4711')).not.toBe(registrationKey('HRB 4712'));
    expect(companyIdFor('DE', 'HRB4711')).not.toBe(companyIdFor('AT', 'HRB4711'));
  });
});
