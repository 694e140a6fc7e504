export declare const cliEntryPoints: {
  readonly cli: string;
  readonly 'cli.bundle': string;
  readonly 'cli.keptAnswers': string;
};
