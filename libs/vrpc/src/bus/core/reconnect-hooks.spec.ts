import { Logger } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ReconnectHooks } from './reconnect-hooks.js';

describe('ReconnectHooks', () => {
  it('runs every hook on each reconnect until it is removed, past one that fails', async () => {
    const hooks = new ReconnectHooks(new Logger('test'));
    const runs: string[] = [];
    let failed!: () => void;
    const failing = new Promise<void>((resolve) => (failed = resolve));
    hooks.add(() => {
      runs.push('failing');
      failed();
      return Promise.reject(new Error('no channel'));
    });
    const stop = hooks.add(() => {
      runs.push('inbox');
      return Promise.resolve();
    });
    expect(runs).toEqual([]);
    hooks.run();
    await failing;
    stop();
    hooks.run();
    expect(runs).toEqual(['failing', 'inbox', 'failing']);
  });
});
