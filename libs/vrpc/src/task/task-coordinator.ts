import { setTimeout as sleep } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { StoredTaskResult, TaskStore } from './task-store.interface.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';
import { logText } from '../utils/log-text.js';

/** One execution request for a task key. */
export interface TaskRun {
  key: string;
  /** Identifies this execution attempt (unique across instances). */
  owner: string;
  ttlMs: number;
  leaseMs: number;
  /** Give up waiting for another holder at this time (ms since the epoch). */
  deadline: number;
}

/**
 * Makes a task key a cluster-wide singleton: a remembered result is returned as is; otherwise
 * whoever takes the lease runs the task (renewing the lease meanwhile) and records the result;
 * everyone else waits for that result, and takes over if the holder's lease expires.
 */
export class TaskCoordinator {
  private readonly logger = new Logger('VrpcTask');

  constructor(
    private readonly store: TaskStore,
    private readonly pollMs = 50,
  ) {}

  async run(task: TaskRun, execute: (fencingToken: number) => Promise<StoredTaskResult>): Promise<StoredTaskResult> {
    for (;;) {
      const remembered = await this.store.getResult(task.key);
      if (remembered) return remembered;
      const grant = await this.store.acquire(task.key, task.owner, task.leaseMs);
      if (grant.acquired) return this.runHolding(task, grant.token, execute);
      if (Date.now() + this.pollMs >= task.deadline) {
        return {
          payload: new Uint8Array(),
          statusCode: status.DEADLINE_EXCEEDED,
          errorMessage: VrpcMessages.taskStillRunning(task.key),
          metadata: {},
        };
      }
      await sleep(this.pollMs);
    }
  }

  private async runHolding(
    task: TaskRun,
    token: number,
    execute: (fencingToken: number) => Promise<StoredTaskResult>,
  ): Promise<StoredTaskResult> {
    const renewal = setInterval(
      () => {
        this.store.renew(task.key, task.owner, task.leaseMs).then(
          (held) => held || this.logger.warn(`lost the lease of task ${logText(task.key)} (token ${token}) while running it`),
          (error: unknown) => this.logger.warn(`could not renew the lease of task ${logText(task.key)}: ${String(error)}`),
        );
      },
      Math.max(10, Math.floor(task.leaseMs / 3)),
    );
    try {
      const result = await execute(token);
      if (!(await this.store.complete(task.key, task.owner, result, task.ttlMs))) {
        this.logger.warn(`task ${logText(task.key)} (token ${token}) finished after losing its lease; its result was not recorded`);
      }
      return result;
    } catch (error: unknown) {
      await this.store.release(task.key, task.owner);
      throw error;
    } finally {
      clearInterval(renewal);
    }
  }
}
