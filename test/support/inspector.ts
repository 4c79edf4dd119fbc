// A Chrome DevTools Protocol client for a child app started with `--inspect=127.0.0.1:0`: forced
// full GC, live heap size, heap snapshots. Test-only: the app needs no hooks for any of it.
import { createWriteStream } from 'node:fs';
import WebSocket from 'ws';
import type { AppProcess } from './app-process.js';

/** NODE_OPTIONS for a child app that this client can connect to (the OS picks the port). */
export const INSPECT_NODE_OPTION = '--inspect=127.0.0.1:0';

export interface HeapFigures {
  /** Live JS heap after two forced full collections (`Runtime.getHeapUsage().usedSize`), MB. */
  heapUsedMb: number;
  /** Memory held outside the JS heap by JS objects (Buffers, ArrayBuffers), after the same GC, MB. */
  externalMb: number;
  /** Of heapUsedMb, V8's code: machine code and bytecode with their metadata (grows as functions are compiled or optimized, bounded by the app's code), MB. */
  codeMb: number;
}

export interface Inspector {
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Two full collections (the second frees what the first's finalizers released), then the live heap. */
  heapAfterGc(): Promise<HeapFigures>;
  /** Writes a `.heapsnapshot` (open it in Chrome DevTools → Memory) after a full GC. */
  writeHeapSnapshot(path: string): Promise<void>;
  close(): Promise<void>;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message: string };
}

const MB = 1024 * 1024;
/**
 * Evaluated in the child (an ES module, so no `require`): external memory, and V8's code: machine
 * code and bytecode with their metadata. Bytecode lives outside the code space, in the old space,
 * and grows when a function first runs (lazy compilation) or runs again after V8 flushed it, so a
 * heap figure that keeps it counts code paths the run happened to reach, not live objects.
 */
const MEMORY_EXPRESSION = `(() => {
  const code = process.getBuiltinModule('v8').getHeapCodeStatistics();
  return { external: process.memoryUsage().external, code: code.code_and_metadata_size + code.bytecode_and_metadata_size };
})()`;

/** Connects to the inspector of `app`, whose URL the child prints to stderr on start. */
export async function connectInspector(app: AppProcess, timeoutMs = 30_000): Promise<Inspector> {
  const [, url] = await app.waitForOutput(/Debugger listening on (ws:\/\/\S+)/, timeoutMs);
  const socket = new WebSocket(url!);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  const eventListeners = new Set<(m: CdpMessage) => void>();
  let nextId = 1;
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as CdpMessage;
    if (message.id === undefined) return eventListeners.forEach((l) => l(message));
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) call?.reject(new Error(`CDP: ${message.error.message}`));
    else call?.resolve(message.result);
  });
  socket.on('close', () => pending.forEach((call) => call.reject(new Error('CDP: inspector connection closed'))));

  const send = <T>(method: string, params: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });

  const collectGarbage = async () => {
    await send('HeapProfiler.collectGarbage');
    await send('HeapProfiler.collectGarbage');
  };

  return {
    send,
    heapAfterGc: async () => {
      await collectGarbage();
      const { usedSize } = await send<{ usedSize: number }>('Runtime.getHeapUsage');
      const { result } = await send<{ result: { value: { external: number; code: number } } }>('Runtime.evaluate', {
        expression: MEMORY_EXPRESSION,
        returnByValue: true,
      });
      return { heapUsedMb: usedSize / MB, externalMb: result.value.external / MB, codeMb: result.value.code / MB };
    },
    writeHeapSnapshot: async (path) => {
      await collectGarbage();
      const file = createWriteStream(path);
      const onChunk = (m: CdpMessage) => {
        if (m.method === 'HeapProfiler.addHeapSnapshotChunk') file.write(m.params!.chunk as string);
      };
      eventListeners.add(onChunk);
      try {
        await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      } finally {
        eventListeners.delete(onChunk);
        await new Promise<void>((resolve) => file.end(resolve));
      }
    },
    // A child with a debugger attached waits for it to go before it exits: close before stopping it.
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
}
