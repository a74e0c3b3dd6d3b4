import { cpus, loadavg, release, totalmem, type } from 'node:os';
import type { MachineInfo } from '../report/results.js';

/** The machine a run is on; the load average is taken again at the end. */
export function machineInfo(kafka: string): MachineInfo {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown CPU',
    cores: cores.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.versions.node,
    kafka,
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [],
  };
}
