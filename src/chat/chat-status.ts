// Owns what the Discord bot reports about its connection (GET /api/ready's `chat`): configured, connected, since when,
// the last error, and whether this chat process is the active one or a standby (one bot per token: the others wait,
// logged out, to take over). Readiness for trading never depends on it: a Discord outage is reported, not a reason to
// stop; a standby is neither.

export interface ChatStatus {
  /** DISCORD_TOKEN is set. */
  configured: boolean;
  connected: boolean;
  /** Since when it has been connected (or not), ISO; null before the first attempt. */
  since: string | null;
  lastError: string | null;
  /** A chat process's: `active` holds the lease (the bot that answers), `standby` waits for it, logged out. */
  role?: 'active' | 'standby';
  /** The chat process that holds the lease (`host:pid:nonce`), as last seen; null when nobody does or not known. */
  activeIn?: string | null;
}

export const CHAT_NOT_CONFIGURED: ChatStatus = { configured: false, connected: false, since: null, lastError: null };

/** What /api/ready says when no chat process has reported lately (not running, or its Redis writes fail). */
export const CHAT_NOT_REPORTING: ChatStatus = {
  configured: true,
  connected: false,
  since: null,
  lastError: 'no chat process has reported lately (is `legwork worker chat` or `legwork start` running?)',
};
