// Owns the list of jobs this process is running right now, so a stopping process can say what it is waiting for.
export interface ActiveJob {
  queue: string;
  jobId: string;
  /** What the job works on, e.g. "group g1 of trade t1". */
  detail: string;
  since: number;
}

export class ActiveJobs {
  private readonly jobs = new Map<string, ActiveJob>();

  /** Runs `fn` with the job listed as active until it settles. */
  async track<T>(queue: string, jobId: string | undefined, detail: string, fn: () => Promise<T>): Promise<T> {
    const key = `${queue}:${jobId ?? Math.random()}`;
    this.jobs.set(key, { queue, jobId: jobId ?? '?', detail, since: Date.now() });
    try {
      return await fn();
    } finally {
      this.jobs.delete(key);
    }
  }

  list(): ActiveJob[] {
    return [...this.jobs.values()];
  }

  /** One line for the log: "execute job X (group g1 of trade t1, 12 s)". */
  describe(now = Date.now()): string {
    const list = this.list();
    if (list.length === 0) return 'nothing';
    return list
      .map((j) => `${j.queue} job ${j.jobId} (${j.detail}, running ${Math.round((now - j.since) / 1000)} s)`)
      .join('; ');
  }
}
