/** Where a command writes: results to `print` (stdout), problems to `warn` (stderr). */
export interface CliOutput {
  print(line: string): void;
  warn(line: string): void;
}

export const consoleOutput: CliOutput = {
  print: (line) => void process.stdout.write(`${line}\n`),
  warn: (line) => void process.stderr.write(`${line}\n`),
};

/** Keeps what a command wrote, for tests and for callers that post-process it. */
export class CapturedOutput implements CliOutput {
  readonly lines: string[] = [];
  readonly warnings: string[] = [];

  print(line: string): void {
    this.lines.push(line);
  }

  warn(line: string): void {
    this.warnings.push(line);
  }

  get text(): string {
    return [...this.lines, ...this.warnings].join('\n');
  }
}

/** Exit codes of the CLI's commands. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
