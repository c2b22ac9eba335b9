// Owns the content hash of a rules file: sha256 (hex) of its text, recorded with every decision taken under it.
import { createHash } from 'node:crypto';

export const contentHash = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
