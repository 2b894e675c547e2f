import { ProtocolError, parseResource, type ClientCommands } from '../../src/protocol/index';
import type { Connection } from '../gateway/connection';
import { contactsKey, conversationsKey, messagesKey } from '../hub/hub';
import { requireMember } from './access';
import { userIdOf, type Reply, type Services } from './context';

/** What subscribing uses. */
export type SubscriptionsServices = Pick<Services, 'hub' | 'storage' | 'versions'>;

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
  } else {
    key = resource.kind === 'contacts' ? contactsKey(userId) : conversationsKey(userId);
    version = s.versions.get(key);
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
      : resource.kind === 'contacts'
        ? contactsKey(userId)
        : conversationsKey(userId);
  s.hub.unsubscribe(conn, key);
  return { name: 'UnsubscribeResponse', payload: { resource: p.resource } };
}
