// IPC commands every benchmark child answers, so the parent can account for where the CPU goes
// during the measured phase only (not start-up, not warm-up):
//   { cmd: 'cpu' }                      → { cpu: { userUs, systemUs, elu } } (process.cpuUsage, event-loop utilization)
//   { cmd: 'profile-start' }            → { profiling: true }  starts a V8 CPU profile (inspector)
//   { cmd: 'profile-stop', file }       → { profiled: file }   writes it as a .cpuprofile
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';

let session;

export async function answerControl(message) {
  switch (message?.cmd) {
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: { userUs: user, systemUs: system, elu: performance.eventLoopUtilization() } });
      return true;
    }
    case 'profile-start':
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
      process.send?.({ profiling: true });
      return true;
    case 'profile-stop': {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(message.file, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
      process.send?.({ profiled: message.file });
      return true;
    }
    default:
      return false;
  }
}
