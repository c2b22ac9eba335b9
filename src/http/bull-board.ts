// Owns the Bull Board mounts: /admin/queues (admin: every queue with job data, logs, progress and the write actions)
// and /admin/queues-view (read-only adapters, for viewers and admins). The board has no auth of its own: the auth
// middleware is mounted in front of each router. Job data is shown in clear text: never put secrets in job data.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express } from 'express';
import type { AppContext } from '../app/context.js';
import { QUEUE_NAMES } from '../queue/jobs.js';
import type { HttpAuth } from './auth.js';

export const BOARD_PATH = '/admin/queues';
export const BOARD_VIEW_PATH = '/admin/queues-view';

function board(app: AppContext, basePath: string, readOnlyMode: boolean): ExpressAdapter {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(app.queues[name], { readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'Legwork (read-only)' : 'Legwork' } },
  });
  return serverAdapter;
}

export function mountBullBoard(http: Express, app: AppContext, auth: HttpAuth): void {
  http.use(BOARD_PATH, auth.requireAdmin, board(app, BOARD_PATH, false).getRouter());
  http.use(BOARD_VIEW_PATH, auth.requireViewer, board(app, BOARD_VIEW_PATH, true).getRouter());
}
