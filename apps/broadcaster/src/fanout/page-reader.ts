import { PageStream } from './page-stream.js';
import { toWireError, type PageReaderCommand, type PageReaderEvent } from './page-reading.protocol.js';
import type { PageSource } from './subscriber-pager.js';

/** The side of a MessagePort (or of `parentPort`) the reader uses. */
export interface CommandPort {
  on(event: 'message', listener: (command: PageReaderCommand) => void): unknown;
  postMessage(event: PageReaderEvent): void;
}

interface OpenStream {
  readonly pages: PageStream;
  /** Pages it may hand over before the fan-out takes one. */
  credit: number;
  pumping: boolean;
  done: boolean;
}

/**
 * The page-reading thread's side: for each stream the fan-out opens, it follows the subscriber
 * cursor chain (PageStream's read-ahead) and hands the pages over as they arrive, at most `ahead`
 * pages beyond what the fan-out has taken. The cursor chain is the fan-out's critical path, and
 * here it never waits for the thread that encodes and produces.
 */
/** Runs `open` in the trace context the headers carry (the thread's tracing; a plain call when it is off). */
export type InTraceContext = <T>(headers: Record<string, string>, open: () => T) => T;

export function servePages(port: CommandPort, source: PageSource, inTraceContext: InTraceContext = (_, open) => open()): void {
  const streams = new Map<number, OpenStream>();

  const pump = async (id: number, stream: OpenStream): Promise<void> => {
    stream.pumping = true;
    try {
      while (stream.credit > 0 && !stream.done && streams.get(id) === stream) {
        const page = await stream.pages.next();
        if (streams.get(id) !== stream) return;
        stream.credit -= 1;
        stream.done = page.next === null;
        port.postMessage({ type: 'page', stream: id, page });
      }
    } catch (err) {
      stream.done = true;
      if (streams.get(id) === stream) port.postMessage({ type: 'error', stream: id, error: toWireError(err) });
    } finally {
      stream.pumping = false;
    }
  };

  port.on('message', (command) => {
    if (command.type === 'open') {
      // Every request of the stream's cursor chain continues from here, so in this context.
      const pages = inTraceContext(
        command.trace,
        () => new PageStream(source, command.clientId, command.pageSize, command.after, command.ahead),
      );
      const stream: OpenStream = { pages, credit: command.ahead, pumping: false, done: false };
      streams.set(command.stream, stream);
      void pump(command.stream, stream);
    } else if (command.type === 'take') {
      const stream = streams.get(command.stream);
      if (!stream) return;
      stream.credit += 1;
      if (!stream.pumping) void pump(command.stream, stream);
    } else if (command.type === 'close') {
      streams.delete(command.stream);
    }
  });
}
