// Owns what one session receives of an event, given its intents (Discord docs: topics/gateway#gateway-intents,
// #message-content-intent): nothing without the event's intent; for message events without MESSAGE_CONTENT, empty
// content, embeds, attachments and components (and no poll) unless an exception applies (the event says so).
import { INTENT } from '../intents.js';
import type { Json, OutboundEvent } from '../types.js';

export function shapeForIntents(event: OutboundEvent, intents: number): Json | undefined {
  if (event.intent !== undefined && (intents & event.intent) === 0) return undefined;
  if (!event.contentGuard || (intents & INTENT.MESSAGE_CONTENT) !== 0) return event.d;
  const { poll: _poll, ...rest } = event.d;
  return { ...rest, content: '', embeds: [], attachments: [], components: [] };
}
