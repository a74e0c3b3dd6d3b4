import { type AclEntry, AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';

/** The topics and groups of one vRPC deployment, as the ACL recipes of docs/security.md name them. */
export interface VrpcAclScope {
  /** `topics.requestPrefix`: every request topic starts with it. */
  requestPrefix: string;
  /** `topics.replies`. */
  replies: string;
  /** `topics.deadLetter`. */
  deadLetter: string;
  /** `server.groupPrefix` (the servers' consumer groups). */
  groupPrefix: string;
  /** The prefix of the clients' inbox groups (`vrpc.inbox.<instanceId>`). */
  inboxGroupPrefix?: string;
}

type Rule = [AclResourceTypes, string, ResourcePatternTypes, AclOperationTypes];

const { TOPIC, GROUP } = AclResourceTypes;
const { LITERAL, PREFIXED } = ResourcePatternTypes;
const { READ, WRITE, DELETE } = AclOperationTypes;

function allow(principal: string, rules: Rule[]): AclEntry[] {
  return rules.map(([resourceType, resourceName, resourcePatternType, operation]) => ({
    resourceType,
    resourceName,
    resourcePatternType,
    principal,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  }));
}

/**
 * A calling app: writes requests, reads replies through its own inbox group (and deletes that
 * group when it closes). Not: write the reply topic, read request topics, create topics.
 * READ and WRITE imply DESCRIBE, which metadata and vRPC's topic check need.
 */
export function clientAcls(principal: string, scope: VrpcAclScope): AclEntry[] {
  const inbox = scope.inboxGroupPrefix ?? 'vrpc.inbox.';
  return allow(principal, [
    [TOPIC, scope.requestPrefix, PREFIXED, WRITE],
    [TOPIC, scope.replies, LITERAL, READ],
    [GROUP, inbox, PREFIXED, READ],
    [GROUP, inbox, PREFIXED, DELETE],
  ]);
}

/**
 * A serving app (a Nest `VrpcServer` or a `VrpcGateway`): reads request topics in its groups,
 * writes replies and dead letters. Not: write request topics, read the reply topic.
 */
export function serverAcls(principal: string, scope: VrpcAclScope): AclEntry[] {
  return allow(principal, [
    [TOPIC, scope.requestPrefix, PREFIXED, READ],
    [GROUP, scope.groupPrefix, PREFIXED, READ],
    [TOPIC, scope.replies, LITERAL, WRITE],
    [TOPIC, scope.deadLetter, LITERAL, WRITE],
  ]);
}

/** What a client adds for streaming calls: its later frames go to the servers' stream inboxes. */
export function streamClientAcls(principal: string, streams: string): AclEntry[] {
  return allow(principal, [[TOPIC, streams, LITERAL, WRITE]]);
}

/**
 * What a server (or gateway) adds to serve streams: it reads its stream inbox on the streams
 * topic, in a group of its own (`vrpc.inbox.server-<uuid>` / `vrpc.inbox.gateway-<uuid>`),
 * deleted when it closes.
 */
export function streamServerAcls(principal: string, streams: string, inboxGroupPrefix = 'vrpc.inbox.server-'): AclEntry[] {
  return allow(principal, [
    [TOPIC, streams, LITERAL, READ],
    [GROUP, inboxGroupPrefix, PREFIXED, READ],
    [GROUP, inboxGroupPrefix, PREFIXED, DELETE],
  ]);
}
