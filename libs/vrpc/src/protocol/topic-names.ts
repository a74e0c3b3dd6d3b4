import type { VrpcTopicOptions } from './topic-options.interface.js';
import {
  DEFAULT_DEAD_LETTER_TOPIC,
  DEFAULT_REPLY_TOPIC,
  DEFAULT_REQUEST_TOPIC_PREFIX,
} from './vrpc.constants.js';
import { VrpcMessages } from '../errors/vrpc.messages.js';

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

function checked(topic: string): string {
  if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') throw new Error(VrpcMessages.invalidTopic(topic));
  return topic;
}

/** The topic that carries requests for a service (`package.Service`). */
export function requestTopic(fullServiceName: string, options: VrpcTopicOptions = {}): string {
  const explicit = options.requests?.[fullServiceName];
  return checked(explicit ?? `${options.requestPrefix ?? DEFAULT_REQUEST_TOPIC_PREFIX}${fullServiceName}`);
}

/** The shared reply topic. */
export function replyTopic(options: VrpcTopicOptions = {}): string {
  return checked(options.replies ?? DEFAULT_REPLY_TOPIC);
}

/** Where unreadable requests go. */
export function deadLetterTopic(options: VrpcTopicOptions = {}): string {
  return checked(options.deadLetter ?? DEFAULT_DEAD_LETTER_TOPIC);
}
