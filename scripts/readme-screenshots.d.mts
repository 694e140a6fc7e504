export interface ReadmeScreenshot {
  /** The picture's name under docs/screenshots/. */
  readonly file: string;
  /** The E2E spec's workbench name (`openWorkbench(folder, { name })`). */
  readonly spec: string;
  /** The label the spec passes to `workbench.screenshot(label)`. */
  readonly label: string;
}
export const readmeScreenshots: readonly ReadmeScreenshot[];
export function findScreenshot(folder: string, picture: ReadmeScreenshot): string | undefined;
