import type { VrpcTopicOptions } from './topic-options.interface.js';
import { DEFAULT_DEAD_LETTER_TOPIC, DEFAULT_REPLY_TOPIC, DEFAULT_REQUEST_TOPIC_PREFIX, DEFAULT_STREAMS_TOPIC } from './vrpc.constants.js';
import { ConfigMessages } from '../errors/vrpc.messages.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** @param option the option the topic comes from, named in the error */
function checked(topic: string, option: string): string {
  if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') throw new VrpcConfigError(option, ConfigMessages.invalidTopic(topic));
  return topic;
}

/** The topic that carries requests for a service (`package.Service`). */
export function requestTopic(fullServiceName: string, options: VrpcTopicOptions = {}): string {
  const explicit = options.requests?.[fullServiceName];
  if (explicit !== undefined) return checked(explicit, `topics.requests["${fullServiceName}"]`);
  return checked(`${options.requestPrefix ?? DEFAULT_REQUEST_TOPIC_PREFIX}${fullServiceName}`, 'topics.requestPrefix');
}

/** The shared reply topic. */
export function replyTopic(options: VrpcTopicOptions = {}): string {
  return checked(options.replies ?? DEFAULT_REPLY_TOPIC, 'topics.replies');
}

/** Where unreadable requests go. */
export function deadLetterTopic(options: VrpcTopicOptions = {}): string {
  return checked(options.deadLetter ?? DEFAULT_DEAD_LETTER_TOPIC, 'topics.deadLetter');
}

/** The topic of the servers' stream inboxes. */
export function streamsTopic(options: VrpcTopicOptions = {}): string {
  return checked(options.streams ?? DEFAULT_STREAMS_TOPIC, 'topics.streams');
}
