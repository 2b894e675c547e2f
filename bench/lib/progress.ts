/**
 * The live progress line on stderr: one line rewritten in place once a
 * second while a phase runs, so a long run shows it is alive and where it is.
 */
export class Progress {
  private timer: NodeJS.Timeout | null = null;
  private readonly started = Date.now();
  private readonly tty = process.stderr.isTTY === true;
  private lastLine = '';

  constructor(private readonly quiet = false) {}

  /** Polls `line` every second until `stop`; the label stays in front. */
  track(label: string, line: () => Promise<string>): void {
    this.stop();
    const tick = async (): Promise<void> => {
      const text = await line().catch(() => '');
      this.write(`${label} ${text}`);
    };
    this.timer = setInterval(() => void tick(), 1000);
  }

  note(text: string): void {
    this.write(text, true);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private write(text: string, keep = false): void {
    if (this.quiet) return;
    const elapsed = ((Date.now() - this.started) / 1000).toFixed(0).padStart(4);
    const line = `[${elapsed}s] ${text}`;
    if (this.tty) process.stderr.write(`\r\x1b[2K${line}${keep ? '\n' : ''}`);
    else if (keep || line !== this.lastLine) process.stderr.write(`${line}\n`);
    this.lastLine = line;
  }
}
