export type { TurkeyDay } from './calendar-day';
export * from './business-calendar';
export {
  IysDateError,
  endOfTurkeyDay,
  formatIysDate,
  parseIysDate,
  startOfTurkeyDay,
  toTurkeyDateString,
  tryParseIysDate,
  turkeyDayOf,
  turkeyOffsetMinutes,
} from './turkey-time';
export * from './turkish-holidays';
