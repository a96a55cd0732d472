import { isTimestamp } from './timestamp';

describe('timestamps every part of the ledger reads alike', () => {
  it.each(['2027-05-01', '2027-05-01T12:00', '2027-05-01T12:00:00Z', '2027-05-01T12:00:00.123456+02:00', '2027-05-01T00:00:00-15:59', '2028-02-29'])(
    'accepts %s',
    (v) => expect(isTimestamp(v)).toBe(true),
  );
  it.each(['2027-W01-1', '2027-123', '20270501', '0000-01-01', '2027-05-01T00:00:00-16:00', '2027-02-30', '2027-13-01', '+2027-05-01', '', 'soon'])(
    'refuses %s',
    (v) => expect(isTimestamp(v)).toBe(false),
  );
});
