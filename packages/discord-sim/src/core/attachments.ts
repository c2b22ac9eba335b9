// Owns files uploaded with messages (multipart requests): kept in memory and served back at the attachment's url.
import type { Json } from '../types.js';

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
  description?: string;
}

export class AttachmentStore {
  private readonly files = new Map<string, UploadedFile>();

  /** Stores a file and returns its attachment object (Discord docs: resources/message#attachment-object). */
  add(id: string, channelId: string, file: UploadedFile, baseUrl: string): Json {
    this.files.set(id, file);
    const url = `${baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(file.filename)}`;
    return {
      id,
      filename: file.filename,
      ...(file.description ? { description: file.description } : {}),
      content_type: file.contentType,
      size: file.data.length,
      url,
      proxy_url: url,
    };
  }

  get(id: string): UploadedFile | undefined {
    return this.files.get(id);
  }

  clear(): void {
    this.files.clear();
  }
}
