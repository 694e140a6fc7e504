/**
 * Run ids are `YYYYMMDD-HHMMSS-xxxxxx`: the UTC start time to the second, then six random
 * lowercase hex digits. They sort by start time as plain strings (the run list needs no date
 * parsing), are safe in file names and shell words, and two runs started in the same second
 * differ in the suffix (the caller retries when the folder already exists).
 */
export function createRunId(now: number, random: () => number = Math.random): string {
  const date = new Date(now);
  const pad = (value: number) => String(value).padStart(2, '0');
  const day = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
  const suffix = Math.floor(random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `${day}-${time}-${suffix}`;
}

export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[0-9a-f]{6}$/;

export function isRunId(text: string): boolean {
  return RUN_ID_PATTERN.test(text);
}
