export interface TestCounts {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}
export function nodeTestCount(output: string): TestCounts;
export function plainCount(output: string): TestCounts;
export function summaryLine(name: string, counts: TestCounts): string;
