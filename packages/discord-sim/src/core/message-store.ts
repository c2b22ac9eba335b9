// Owns the messages of every channel in the order they were created (deleted ones kept, flagged, for the record).
import type { StoredMessage } from '../types.js';

export class MessageStore {
  private readonly byId = new Map<string, StoredMessage>();
  private readonly byChannel = new Map<string, string[]>();

  add(message: StoredMessage): StoredMessage {
    this.byId.set(message.id, message);
    const list = this.byChannel.get(message.channelId) ?? [];
    list.push(message.id);
    this.byChannel.set(message.channelId, list);
    return message;
  }

  /** A live (not deleted) message. */
  get(id: string): StoredMessage | undefined {
    const m = this.byId.get(id);
    return m && !m.deleted ? m : undefined;
  }

  /** Oldest first. */
  inChannel(channelId: string, includeDeleted = false): StoredMessage[] {
    const ids = this.byChannel.get(channelId) ?? [];
    return ids.map((id) => this.byId.get(id)!).filter((m) => includeDeleted || !m.deleted);
  }

  clear(): void {
    this.byId.clear();
    this.byChannel.clear();
  }
}
