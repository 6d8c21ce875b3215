// Turkey's official public holidays (resmi tatiller, Law 2429) for 2026 and 2027, the default of the `holidays`
// knob used by the H467 business-day count. Whole days only: the half-day eves (arife, 28 October afternoon) are
// working mornings and are left out. The religious holidays move with the Hijri calendar: 2026 follows the
// Diyanet calendar as published; 2027's were computed one Hijri year (354 days) on from 2026 (Ramazan Bayramı
// 9–11 March, Kurban Bayramı 16–19 May) and must be checked against Diyanet's list when it is published.
export const TURKEY_PUBLIC_HOLIDAYS: readonly string[] = [
  // 2026
  '2026-01-01', // Yılbaşı
  '2026-03-20', // Ramazan Bayramı 1
  '2026-03-21', // Ramazan Bayramı 2
  '2026-03-22', // Ramazan Bayramı 3
  '2026-04-23', // Ulusal Egemenlik ve Çocuk Bayramı
  '2026-05-01', // Emek ve Dayanışma Günü
  '2026-05-19', // Atatürk'ü Anma, Gençlik ve Spor Bayramı
  '2026-05-27', // Kurban Bayramı 1
  '2026-05-28', // Kurban Bayramı 2
  '2026-05-29', // Kurban Bayramı 3
  '2026-05-30', // Kurban Bayramı 4
  '2026-07-15', // Demokrasi ve Millî Birlik Günü
  '2026-08-30', // Zafer Bayramı
  '2026-10-29', // Cumhuriyet Bayramı
  // 2027
  '2027-01-01',
  '2027-03-09',
  '2027-03-10',
  '2027-03-11',
  '2027-04-23',
  '2027-05-01',
  '2027-05-16',
  '2027-05-17',
  '2027-05-18',
  '2027-05-19', // Kurban Bayramı 4 and Atatürk'ü Anma coincide
  '2027-07-15',
  '2027-08-30',
  '2027-10-29',
];
