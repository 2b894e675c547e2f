import { ProtocolError, parseResource, type ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { contactsKey, conversationsKey, messagesKey, receiptsKey } from '../hub/hub';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';

/** What subscribing uses. */
export type SubscriptionsServices = Pick<Services, 'config' | 'hub' | 'storage' | 'versions'>;

/** Subscribe and unsubscribe (docs/PROTOCOL.md section 3). */
export function subscribe(conn: Connection, p: ClientCommands['SubscribeCommand'], s: SubscriptionsServices): Reply {
  const userId = userIdOf(conn);
  const resource = parseResource(p.resource);
  if (!resource) throw new ProtocolError('NOT_FOUND', `no resource ${JSON.stringify(p.resource)}`);
  let key: string;
  let version: number;
  if (resource.kind === 'messages') {
    requireMember(resource.conversationId, userId, s);
    key = messagesKey(resource.conversationId);
    version = s.storage.conversations.latestSeq(resource.conversationId) ?? 0;
  } else if (resource.kind === 'receipts') {
    requireMember(resource.conversationId, userId, s);
    key = receiptsKey(resource.conversationId);
    version = s.versions.get(key);
  } else {
    key = resource.kind === 'contacts' ? contactsKey(userId) : conversationsKey(userId);
    version = s.versions.get(key);
  }
  // Each subscription is held in memory for the socket's life: a bound per socket, however many conversations the user has.
  const max = s.config.maxSubscriptionsPerSocket;
  if (max > 0 && !conn.subscriptions.has(key) && conn.subscriptions.size >= max) {
    throw new ProtocolError('RATE_LIMITED', `this socket already holds ${max} subscriptions, the most allowed; unsubscribe from one before subscribing to ${p.resource}`);
  }
  s.hub.subscribe(conn, key);
  return { name: 'SubscribeResponse', payload: { resource: p.resource, version } };
}

export function unsubscribe(conn: Connection, p: ClientCommands['UnsubscribeCommand'], s: SubscriptionsServices): Reply {
  const userId = userIdOf(conn);
  const resource = parseResource(p.resource);
  if (!resource) throw new ProtocolError('NOT_FOUND', `no resource ${JSON.stringify(p.resource)}`);
  const key =
    resource.kind === 'messages'
      ? messagesKey(resource.conversationId)
      : resource.kind === 'receipts'
        ? receiptsKey(resource.conversationId)
        : resource.kind === 'contacts'
          ? contactsKey(userId)
          : conversationsKey(userId);
  s.hub.unsubscribe(conn, key);
  return { name: 'UnsubscribeResponse', payload: { resource: p.resource } };
}
