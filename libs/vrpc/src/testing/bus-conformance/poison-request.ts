import { status } from '@grpc/grpc-js';
import { expect, it } from 'vitest';
import type { IncomingMessage } from '../../bus/bus.interface.js';
import { decodeResponse, encodeRequest } from '../../protocol/envelope.js';
import { VRPC_HEADERS } from '../../protocol/vrpc.constants.js';
import { Recorder, uniqueName, waitFor } from './conformance-support.js';
import { MemberProcess } from './member-process.js';
import type { BusSuite } from './suite.js';

/** Deliveries the poison test allows: small, so each bus crashes only a few members. */
const MAX_DELIVERIES = 2;
/** How long a member process may take to start and join its group, in ms. */
const START_MS = 60_000;

/** An encoded request whose reply goes to `replyTo`. */
function request(requestId: string, replyTo: { topic: string; partition?: number }): Buffer {
  return encodeRequest({
    requestId,
    serviceName: 'vrpc.conformance.Poison',
    methodName: 'Crash',
    payload: Buffer.alloc(0),
    metadata: {},
    timestamp: Date.now(),
    timeoutMs: 0,
    clientId: 'conformance',
    replyTo: replyTo.topic,
    replyPartition: replyTo.partition,
    deadline: 0,
    taskKey: '',
    attempt: 0,
    oneWay: false,
  });
}

/**
 * Where the bus counts deliveries (`capabilities.deliveryCount`), `maxDeliveries` holds: a
 * request that crashes every member process that takes it is run exactly `maxDeliveries`
 * times, then set aside on the dead-letter topic, and its caller gets ABORTED.
 */
export function poisonRequestTests(suite: BusSuite): void {
  const { plugin, keep, newTopic } = suite;

  it.runIf(plugin.crash !== undefined)(
    `sets a request that crashes every member aside after maxDeliveries (${MAX_DELIVERIES}) crashes, when the bus counts deliveries`,
    async (context) => {
      const { main } = suite;
      const crash = plugin.crash;
      if (!crash || !main.capabilities.deliveryCount) return context.skip();
      const [topic, deadLetterTopic, replyTopic] = await Promise.all([newTopic(), newTopic(1), newTopic()]);
      const group = uniqueName('g');
      const dead = new Recorder();
      keep(await main.subscribe({ topics: [deadLetterTopic], group: uniqueName('dead'), concurrency: 4 }, dead.handler));
      const replies: IncomingMessage[] = [];
      const inbox = keep(
        await main.openInbox(uniqueName('caller'), replyTopic, (message) => {
          replies.push(message);
          return Promise.resolve();
        }),
      );
      const config = {
        options: crash.options,
        module: crash.module,
        topic,
        group,
        concurrency: 4,
        serve: { deadLetterTopic, maxDeliveries: MAX_DELIVERIES },
      };
      const requestId = uniqueName('poison');
      const members: MemberProcess[] = [];
      let crashes = 0;
      try {
        // A supervisor's job: start a member again whenever one dies (bounded).
        for (let attempt = 0; attempt <= MAX_DELIVERIES + 1 && replies.length === 0; attempt++) {
          const member = new MemberProcess(config, crash.nodeArgs);
          members.push(member);
          await waitFor(() => member.isReady || !member.isAlive, START_MS);
          expect(member.isReady, member.errors()).toBe(true);
          if (attempt === 0)
            await main.publish([
              { topic, key: requestId, value: request(requestId, inbox.address), headers: { [VRPC_HEADERS.id]: requestId } },
            ]);
          await waitFor(() => !member.isAlive || replies.length > 0, crash.redeliveryWithinMs + START_MS).catch(() =>
            expect.fail(
              `attempt ${attempt + 1}: neither a crash nor a reply (member took ${member.took.join(', ') || 'nothing'}): ${member.errors()}`,
            ),
          );
          if (!member.isAlive) {
            expect(member.took).toEqual([requestId]);
            crashes++;
          }
        }
        expect(crashes).toBe(MAX_DELIVERIES);
        expect(replies).toHaveLength(1);
        const reply = decodeResponse(replies[0].value);
        expect(reply.requestId).toBe(requestId);
        expect(reply.statusCode).toBe(status.ABORTED);
        await waitFor(() => dead.received.length > 0, suite.waitMs);
        expect(dead.received[0].headers[VRPC_HEADERS.deadReason]).toMatch(new RegExp(`poison: delivered ${MAX_DELIVERIES + 1} times`));
        expect(dead.received[0].headers[VRPC_HEADERS.id]).toBe(requestId);
      } finally {
        await Promise.all(members.map((member) => member.crash()));
      }
    },
    (MAX_DELIVERIES + 2) * 2 * START_MS,
  );
}
