// Owns Discord's timestamp format on the wire: ISO 8601 with microseconds and an explicit offset
// ("2017-07-11T17:27:07.299000+00:00", as in the message object example of Discord's docs).
export function discordTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000+00:00`;
}
